package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
    @Test
    void aBareHostGetsTheDefaultPort() {
        assertThat(HostPort.parse("--peers", " app1 ", 7800)).isEqualTo(new HostPort("app1", 7800));
    }

    @Test
    void hostColonPortIsSplit() {
        assertThat(HostPort.parse("--peers", "10.0.0.1:7801", 7800)).isEqualTo(new HostPort("10.0.0.1", 7801));
    }

    @Test
    void bracketedIpv6WithAndWithoutPortIsUnderstood() {
        assertThat(HostPort.parse("--peers", "[::1]:7801", 7800)).isEqualTo(new HostPort("::1", 7801));
        assertThat(HostPort.parse("--peers", "[fd00::2]", 7800)).isEqualTo(new HostPort("fd00::2", 7800));
    }

    @Test
    void bareIpv6IsAHostWithTheDefaultPort() {
        assertThat(HostPort.parse("--peers", "fd00::2", 7800)).isEqualTo(new HostPort("fd00::2", 7800));
    }

    @Test
    void itPrintsBackForHumansAndForJGroups() {
        assertThat(new HostPort("::1", 7801)).hasToString("[::1]:7801");
        assertThat(new HostPort("app1", 7800)).hasToString("app1:7800");
        assertThat(new HostPort("app1", 7800).toJGroups()).isEqualTo("app1[7800]");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"a:0", "a:65536", "a:x", "a:", "[::1", "[::1]:0", "[::1]x", " ", "bad host", "a/b:1"})
    void malformedMembersAreRefusedNamingTheOption(String member) {
        assertThatThrownBy(() -> HostPort.parse("--peers", member, 7800))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("invalid --peers: ");
    }
}
