package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.testing.TestCredentials;
import dev.tandem.transport.TransportSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may join: a clustered node needs the cluster's credentials, checked before anything starts. */
class ClusterSecurityConfigTest {
    private static final String[] CLUSTERED = {"--host", "127.0.0.1", "--peers", "127.0.0.1:7801,127.0.0.1:7802"};

    @TempDir
    static Path dir;
    private static Path credentials;

    @BeforeAll
    static void makeCredentials() {
        credentials = TestCredentials.make(dir.resolve("cluster"));
    }

    private static NodeConfig load(Map<String, String> env, String... args) {
        String[] all = new String[CLUSTERED.length + args.length];
        System.arraycopy(CLUSTERED, 0, all, 0, CLUSTERED.length);
        System.arraycopy(args, 0, all, CLUSTERED.length, args.length);
        return ((ConfigLoader.Start) new ConfigLoader(env, () -> "h").load(all)).config();
    }

    private static NodeConfig load(String... args) {
        return load(new HashMap<>(), args);
    }

    @Test
    void aClusteredNodeWithoutCredentialsRefusesToStartAndSaysHowToMakeThem() {
        assertThatThrownBy(() -> load())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid --cluster-credentials: a clustered node needs the cluster's credentials")
                .hasMessageContaining("bin/tandem-credentials DIR");
    }

    @Test
    void credentialsGivenOnTheCommandLineOrInTheEnvironmentTurnOnTls() {
        assertThat(load("--cluster-credentials", credentials.toString()).transportSecurity())
                .isInstanceOf(TransportSecurity.Tls.class);
        NodeConfig fromEnv = load(new HashMap<>(Map.of("TANDEM_CLUSTER_CREDENTIALS", credentials.toString())));
        assertThat(((TransportSecurity.Tls) fromEnv.transportSecurity()).credentials().keystore())
                .isEqualTo(credentials.resolve("cluster.p12"));
    }

    @Test
    void insecureIsAnExplicitChoiceThatCannotBeCombinedWithCredentials() {
        assertThat(load("--cluster-insecure").transportSecurity()).isInstanceOf(TransportSecurity.Insecure.class);
        assertThatThrownBy(() -> load("--cluster-insecure", "--cluster-credentials", credentials.toString()))
                .hasMessageStartingWith("invalid --cluster-insecure: contradicts --cluster-credentials");
    }

    @Test
    void aDirectoryWithoutCredentialsIsRefusedWithTheMissingFile() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> load("--cluster-credentials", empty.toString()))
                .hasMessageContaining("invalid --cluster-credentials: '" + empty.resolve("cluster.p12") + "' is missing");
    }

    @Test
    void aWrongPasswordIsRefusedBeforeTheNodeStarts() throws IOException {
        Path copy = Files.createDirectories(dir.resolve("wrong-password"));
        Files.copy(credentials.resolve("cluster.p12"), copy.resolve("cluster.p12"));
        Files.writeString(copy.resolve("password"), "not-the-password");
        Files.setPosixFilePermissions(copy.resolve("password"), PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> load("--cluster-credentials", copy.toString()))
                .hasMessageContaining("cannot be opened with '" + copy.resolve("password") + "'");
    }

    @Test
    void credentialsOtherUsersCanReadAreRefused() throws IOException {
        Path copy = Files.createDirectories(dir.resolve("world-readable"));
        Files.copy(credentials.resolve("cluster.p12"), copy.resolve("cluster.p12"));
        Files.copy(credentials.resolve("password"), copy.resolve("password"));
        Files.setPosixFilePermissions(copy.resolve("password"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> load("--cluster-credentials", copy.toString()))
                .hasMessageContaining("can be read by other users; chmod 600 it");
    }

    @Test
    void theWarsStartIniNamesTheCredentialsDirectoryButNeverThePassword() {
        String ini = JettyIni.lines(load("--cluster-credentials", credentials.toString()));
        assertThat(ini).contains("-Dtandem.cluster.credentials=" + credentials);
        String password = ((TransportSecurity.Tls) TestCredentials.security(credentials)).credentials().password();
        assertThat(ini).doesNotContain(password);
    }
}
