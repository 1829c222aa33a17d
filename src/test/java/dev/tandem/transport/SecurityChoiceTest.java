package dev.tandem.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class SecurityChoiceTest {

    @Test
    void aWarNodeWithoutCredentialsIsToldWhichSystemPropertyToSetAndHowToMakeThem() {
        assertThatThrownBy(() -> TransportSecurity.fromSystemProperties(new Properties()))
                .isInstanceOf(SecurityChoice.Refused.class)
                .hasMessageStartingWith("-Dtandem.cluster.credentials: a clustered node needs the cluster's credentials")
                .hasMessageContaining("bin/tandem-credentials DIR")
                .hasMessageContaining("start.d");
    }

    @Test
    void aWarNodeMayRunInsecureOnlyWhenItSaysSoAndNeverWithCredentialsToo() {
        Properties insecure = new Properties();
        insecure.setProperty(TransportSecurity.INSECURE, "true");
        assertThat(TransportSecurity.fromSystemProperties(insecure)).isInstanceOf(TransportSecurity.Insecure.class);
        insecure.setProperty(TransportSecurity.CREDENTIALS, "/nonexistent");
        assertThatThrownBy(() -> TransportSecurity.fromSystemProperties(insecure))
                .hasMessageStartingWith("-Dtandem.cluster.insecure=true: contradicts -Dtandem.cluster.credentials");
    }

    @Test
    void aStandaloneNodeNeedsNoCredentials() {
        SecurityChoice.Names names = new SecurityChoice.Names("--c", "--i", "");
        assertThat(SecurityChoice.choose(false, null, false, names)).isInstanceOf(TransportSecurity.Insecure.class);
    }
}
