package dev.tandem.config;

import static dev.tandem.config.ConfigFixture.file;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every option from every source, which source wins, help and version. Bad values: ConfigRefusalsTest. */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private final ConfigFixture config = new ConfigFixture();

    // ---- every option, from every source ----

    /** option, value, companion command-line args, what the config shows, expected. */
    static Stream<Arguments> everyOption() {
        return Stream.of(
                option("host", "127.0.0.1", NodeConfig::host, "127.0.0.1"),
                option("port", "9090", NodeConfig::port, 9090),
                option("node", "n7", NodeConfig::node, "n7"),
                Arguments.of("peers", "127.0.0.1:7801,127.0.0.2", List.of("--cluster-host", "127.0.0.1"),
                        (Function<NodeConfig, Object>) c -> c.peers().toString(), "[127.0.0.1:7801, 127.0.0.2:7800]"),
                option("cluster-host", "127.0.0.2", NodeConfig::clusterHost, "127.0.0.2"),
                option("cluster-port", "7900", NodeConfig::clusterPort, 7900),
                option("cluster-name", "blue", NodeConfig::clusterName, "blue"),
                option("session-timeout", "60", NodeConfig::sessionTimeout, Duration.ofSeconds(60)),
                option("drain-seconds", "5", NodeConfig::drainTime, Duration.ofSeconds(5)),
                option("stop-timeout", "12", NodeConfig::stopTimeout, Duration.ofSeconds(12)),
                option("events-write-timeout", "4", NodeConfig::eventsWriteTimeout, Duration.ofSeconds(4)),
                option("trusted-proxies", "10.0.0.0/8", c -> c.trustedProxies().toString(), "[10.0.0.0/8]"),
                option("session-classes", "com.acme.**", NodeConfig::sessionClasses, "com.acme.**"),
                option("warmup-seconds", "5", NodeConfig::warmup, Duration.ofSeconds(5)));
    }

    private static Arguments option(String name, String value, Function<NodeConfig, Object> show, Object expected) {
        return Arguments.of(name, value, List.of(), show, expected);
    }

    private static String envName(String option) {
        return "TANDEM_" + option.toUpperCase().replace('-', '_');
    }

    private static String[] args(List<String> companions, String... more) {
        List<String> all = new ArrayList<>(companions);
        Collections.addAll(all, more);
        return all.toArray(String[]::new);
    }

    @ParameterizedTest(name = "--{0} on the command line")
    @MethodSource("everyOption")
    void everyOptionIsReadFromTheCommandLine(String name, String value, List<String> companions,
                                             Function<NodeConfig, Object> show, Object expected) {
        assertThat(show.apply(config.load(args(companions, "--" + name, value)))).isEqualTo(expected);
        assertThat(show.apply(config.load(args(companions, "--" + name + "=" + value)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "TANDEM_<{0}> in the environment")
    @MethodSource("everyOption")
    void everyOptionIsReadFromTheEnvironment(String name, String value, List<String> companions,
                                             Function<NodeConfig, Object> show, Object expected) {
        config.env.put(envName(name), value);
        assertThat(show.apply(config.load(args(companions)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}= in the --config file")
    @MethodSource("everyOption")
    void everyOptionIsReadFromTheConfigFile(String name, String value, List<String> companions,
                                            Function<NodeConfig, Object> show, Object expected) throws IOException {
        Path f = file(dir, name + "=" + value);
        assertThat(show.apply(config.load(args(companions, "--config", f.toString())))).isEqualTo(expected);
    }

    @Test
    void withNothingGivenEveryOptionHasItsDocumentedDefault() {
        NodeConfig c = config.load();
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.node()).isEqualTo("some-host");
        assertThat(c.peers()).isEmpty();
        assertThat(c.clustered()).isFalse();
        assertThat(c.clusterHost()).isEqualTo("127.0.0.1");
        assertThat(c.clusterPort()).isEqualTo(7800);
        assertThat(c.clusterName()).isEqualTo("tandem");
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(1800));
        assertThat(c.drainTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.stopTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat((Iterable<String>) c.trustedProxies()).containsExactlyInAnyOrder("127.0.0.0/8", "::1");
        assertThat(c.trustedProxies().test(InetAddress.getLoopbackAddress())).isTrue();
        assertThat(c.sessionClasses()).isEmpty();
    }

    // ---- precedence ----

    @Test
    void theCommandLineBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws IOException {
        Path f = file(dir, "port=9001", "cluster-name=from-file", "drain-seconds=7");
        config.env.put("TANDEM_PORT", "9002");
        config.env.put("TANDEM_CLUSTER_NAME", "from-env");

        NodeConfig c = config.load("--config", f.toString(), "--port", "9003");

        assertThat(c.port()).as("command line over env and file").isEqualTo(9003);
        assertThat(c.clusterName()).as("env over file").isEqualTo("from-env");
        assertThat(c.drainTime()).as("file over default").isEqualTo(Duration.ofSeconds(7));
        assertThat(c.stopTimeout()).as("default when nobody says").isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theEnvironmentBeatsTheFileForEachOptionSeparately() throws IOException {
        Path f = file(dir, "port=9001", "node=file-node");
        config.env.put("TANDEM_NODE", "env-node");
        NodeConfig c = config.load("--config=" + f);
        assertThat(c.node()).isEqualTo("env-node");
        assertThat(c.port()).isEqualTo(9001);
    }

    @Test
    void theConfigFileCanBeNamedInTheEnvironment() throws IOException {
        config.env.put("TANDEM_CONFIG", file(dir, "cluster-name=via-env-file").toString());
        assertThat(config.load().clusterName()).isEqualTo("via-env-file");
    }

    @Test
    void fileValuesAreTrimmed() throws IOException {
        assertThat(config.load("--config", file(dir, "cluster-name =   spaced   ").toString()).clusterName()).isEqualTo("spaced");
    }

    // ---- help and version ----

    @Test
    void helpReturnsExitZeroWithTheUsageNamingEveryOption() {
        ConfigLoader.Result r = new ConfigLoader(config.env, () -> "h").load("--help");
        assertThat(r).isInstanceOf(ConfigLoader.Exit.class);
        ConfigLoader.Exit exit = (ConfigLoader.Exit) r;
        assertThat(exit.code()).isZero();
        assertThat(exit.text()).contains("Usage:", "--host", "--port", "--node", "--peers", "--cluster-host",
                "--cluster-port", "--cluster-name", "--session-timeout", "--drain-seconds", "--stop-timeout",
                "--trusted-proxies", "--session-classes", "--warmup-seconds", "--config", "--version");
    }

    @Test
    void versionReturnsExitZeroWithTheBuildVersion() {
        ConfigLoader.Exit exit = (ConfigLoader.Exit) new ConfigLoader(config.env, () -> "h").load("--version");
        assertThat(exit.code()).isZero();
        assertThat(exit.text()).startsWith("tandem ").contains(BuildVersion.current()).doesNotContain("${");
    }

    @Test
    void helpWinsEvenWhenOtherOptionsAreGiven() {
        assertThat(new ConfigLoader(config.env, () -> "h").load("--port", "1234", "-h")).isInstanceOf(ConfigLoader.Exit.class);
    }
}
