package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.eclipse.jetty.util.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
    /** A documentation address (TEST-NET-2) that is never an address of this machine. */
    private static final String FOREIGN = "198.51.100.7";

    @TempDir
    Path dir;

    /** Clustered examples here test other rules; cluster security has ClusterSecurityConfigTest. */
    private final Map<String, String> env = new HashMap<>(Map.of("TANDEM_CLUSTER_INSECURE", "true"));

    private NodeConfig load(String... args) {
        ConfigLoader.Result result = new ConfigLoader(env, () -> "some-host").load(args);
        assertThat(result).isInstanceOf(ConfigLoader.Start.class);
        return ((ConfigLoader.Start) result).config();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(String option, String... args) {
        return assertThatThrownBy(() -> new ConfigLoader(env, () -> "some-host").load(args))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).option()).isEqualTo(option))
                .hasMessageContaining(option);
    }

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("tandem-" + System.nanoTime() + ".properties");
        Files.write(f, List.of(lines));
        return f;
    }

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
        assertThat(show.apply(load(args(companions, "--" + name, value)))).isEqualTo(expected);
        assertThat(show.apply(load(args(companions, "--" + name + "=" + value)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "TANDEM_<{0}> in the environment")
    @MethodSource("everyOption")
    void everyOptionIsReadFromTheEnvironment(String name, String value, List<String> companions,
                                             Function<NodeConfig, Object> show, Object expected) {
        env.put(envName(name), value);
        assertThat(show.apply(load(args(companions)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}= in the --config file")
    @MethodSource("everyOption")
    void everyOptionIsReadFromTheConfigFile(String name, String value, List<String> companions,
                                            Function<NodeConfig, Object> show, Object expected) throws IOException {
        Path f = file(name + "=" + value);
        assertThat(show.apply(load(args(companions, "--config", f.toString())))).isEqualTo(expected);
    }

    @Test
    void withNothingGivenEveryOptionHasItsDocumentedDefault() {
        NodeConfig c = load();
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
        Path f = file("port=9001", "cluster-name=from-file", "drain-seconds=7");
        env.put("TANDEM_PORT", "9002");
        env.put("TANDEM_CLUSTER_NAME", "from-env");

        NodeConfig c = load("--config", f.toString(), "--port", "9003");

        assertThat(c.port()).as("command line over env and file").isEqualTo(9003);
        assertThat(c.clusterName()).as("env over file").isEqualTo("from-env");
        assertThat(c.drainTime()).as("file over default").isEqualTo(Duration.ofSeconds(7));
        assertThat(c.stopTimeout()).as("default when nobody says").isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theEnvironmentBeatsTheFileForEachOptionSeparately() throws IOException {
        Path f = file("port=9001", "node=file-node");
        env.put("TANDEM_NODE", "env-node");
        NodeConfig c = load("--config=" + f);
        assertThat(c.node()).isEqualTo("env-node");
        assertThat(c.port()).isEqualTo(9001);
    }

    @Test
    void theConfigFileCanBeNamedInTheEnvironment() throws IOException {
        env.put("TANDEM_CONFIG", file("cluster-name=via-env-file").toString());
        assertThat(load().clusterName()).isEqualTo("via-env-file");
    }

    @Test
    void fileValuesAreTrimmed() throws IOException {
        assertThat(load("--config", file("cluster-name =   spaced   ").toString()).clusterName()).isEqualTo("spaced");
    }

    // ---- help and version ----

    @Test
    void helpReturnsExitZeroWithTheUsageNamingEveryOption() {
        ConfigLoader.Result r = new ConfigLoader(env, () -> "h").load("--help");
        assertThat(r).isInstanceOf(ConfigLoader.Exit.class);
        ConfigLoader.Exit exit = (ConfigLoader.Exit) r;
        assertThat(exit.code()).isZero();
        assertThat(exit.text()).contains("Usage:", "--host", "--port", "--node", "--peers", "--cluster-host",
                "--cluster-port", "--cluster-name", "--session-timeout", "--drain-seconds", "--stop-timeout",
                "--trusted-proxies", "--session-classes", "--warmup-seconds", "--config", "--version");
    }

    @Test
    void versionReturnsExitZeroWithTheBuildVersion() {
        ConfigLoader.Exit exit = (ConfigLoader.Exit) new ConfigLoader(env, () -> "h").load("--version");
        assertThat(exit.code()).isZero();
        assertThat(exit.text()).startsWith("tandem ").contains(BuildVersion.current()).doesNotContain("${");
    }

    @Test
    void helpWinsEvenWhenOtherOptionsAreGiven() {
        assertThat(new ConfigLoader(env, () -> "h").load("--port", "1234", "-h")).isInstanceOf(ConfigLoader.Exit.class);
    }

    // ---- bad values stop start-up, naming the option and the reason ----

    @Test
    void aPortAbove65535IsRefused() {
        refused("--port", "--port", "99999").hasMessageContaining("99999").hasMessageContaining("0-65535");
    }

    @Test
    void aWarmUpOfMoreThan120SecondsIsRefusedSoReadinessIsNeverHeldBackLong() {
        refused("--warmup-seconds", "--warmup-seconds", "121").hasMessageContaining("0-120");
    }

    @Test
    void aPortThatIsNotANumberInTheEnvironmentIsRefused() {
        env.put("TANDEM_PORT", "abc");
        refused("--port").hasMessageContaining("abc");
    }

    @Test
    void aNodeNameWithADotIsRefusedBecauseItWouldBreakTheSessionIdSuffix() {
        refused("--node", "--node", "web.01").hasMessageContaining("web.01").hasMessageContaining("no dots");
    }

    @Test
    void aPeerWithPortZeroIsRefused() {
        refused("--peers", "--peers", "a:0").hasMessageContaining("a:0").hasMessageContaining("port");
    }

    @Test
    void anUnknownKeyInTheConfigFileIsRefused() throws IOException {
        refused("--config", "--config", file("prot=8081").toString()).hasMessageContaining("unknown key 'prot'");
    }

    @Test
    void aMissingConfigFileIsRefused() {
        String missing = dir.resolve("nope.properties").toString();
        refused("--config", "--config", missing).hasMessageContaining("cannot read").hasMessageContaining(missing)
                .hasMessageEndingWith(": no such file");
    }

    @Test
    void aConfigFileThatIsADirectoryIsRefused() {
        refused("--config", "--config", dir.toString()).hasMessageContaining("cannot read")
                .hasMessageEndingWith(": it is a directory");
    }

    @Test
    void aWildcardClusterHostIsRefused() {
        refused("--cluster-host", "--cluster-host", "0.0.0.0").hasMessageContaining("wildcard");
    }

    @Test
    void aClusterHostThatIsNotAnAddressOfThisMachineIsRefused() {
        refused("--cluster-host", "--cluster-host", FOREIGN).hasMessageContaining("not an address of this machine");
    }

    @Test
    void negativeDrainSecondsAreRefused() {
        refused("--drain-seconds", "--drain-seconds=-1").hasMessageContaining("-1").hasMessageContaining("0-600");
    }

    @Test
    void aTrustedProxyPrefixLongerThan32BitsIsRefused() {
        refused("--trusted-proxies", "--trusted-proxies", "10.0.0.0/33").hasMessageContaining("10.0.0.0/33");
    }

    @Test
    void sessionClassesWithANegationAreRefusedSoTheAllowListCannotBeUndone() {
        refused("--session-classes", "--session-classes", "!com.acme.*").hasMessageContaining("!com.acme.*");
    }

    @Test
    void otherOutOfRangeNumbersAreRefusedByName() {
        refused("--cluster-port", "--cluster-port", "65500");
        refused("--session-timeout", "--session-timeout", "5");
        refused("--stop-timeout", "--stop-timeout", "0");
        refused("--drain-seconds", "--drain-seconds", "601");
        refused("--events-write-timeout", "--events-write-timeout", "0");
        refused("--events-write-timeout", "--events-write-timeout", "301");
    }

    @Test
    void badNamesAndAddressesAreRefusedByName() {
        refused("--cluster-name", "--cluster-name", "a b");
        refused("--host", "--host", "bad host!");
        refused("--node", "--node", "_leading-underscore");
        refused("--trusted-proxies", "--trusted-proxies", "example.com");
    }

    @Test
    void anUnknownCommandLineOptionIsRefused() {
        assertThatThrownBy(() -> load("--nope")).isInstanceOf(ConfigException.class).hasMessageContaining("--nope");
    }

    // ---- default node name and cluster host ----

    @ParameterizedTest(name = "hostname {0}")
    @ValueSource(strings = {"Web-01.example.com", "web-01", "WEB-01.local"})
    void theDefaultNodeNameIsTheFirstLabelOfTheHostNameInLowerCase(String hostname) {
        assertThat(ConfigLoader.sanitize(hostname)).isEqualTo("web-01");
        NodeConfig c = ((ConfigLoader.Start) new ConfigLoader(env, () -> hostname).load()).config();
        assertThat(c.node()).isEqualTo("web-01");
    }

    @Test
    void hostNamesThatCannotBeNodeNamesAreCleanedUp() {
        assertThat(ConfigLoader.sanitize("db server+1")).isEqualTo("db-server-1");
        assertThat(ConfigLoader.sanitize("--x")).isEqualTo("x");
        assertThat(ConfigLoader.sanitize("")).isEqualTo("node");
        assertThat(ConfigLoader.sanitize(null)).isEqualTo("node");
        assertThat(ConfigLoader.sanitize("a".repeat(80))).hasSize(63);
    }

    @Test
    void aSpecificHostIsAlsoTheClusterHost() {
        assertThat(load("--host", "127.0.0.1", "--peers", FOREIGN).clusterHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void withAWildcardHostTheLocalAddressAmongThePeersIsTheClusterHost() throws SocketException {
        Optional<String> local = localNonLoopbackIpv4();
        assumeThat(local).as("this machine has a non-loopback IPv4 address").isPresent();
        NodeConfig c = load("--peers", FOREIGN + ":7800," + local.get() + ":7800");
        assertThat(c.clusterHost()).isEqualTo(local.get());
    }

    @Test
    void withAWildcardHostAndNoLocalPeerTheClusterHostMustBeGiven() {
        refused("--cluster-host", "--peers", FOREIGN + ":7800").hasMessageContaining("required");
    }

    @Test
    void anExplicitLoopbackClusterHostIsAccepted() {
        assertThat(load("--peers", FOREIGN, "--cluster-host", "127.0.0.1").clusterHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void peersWithoutAPortUseTheClusterPortAndDuplicatesCollapse() {
        NodeConfig c = load("--host", "127.0.0.1", "--cluster-port", "7811", "--peers", "10.0.0.1, 10.0.0.1:7811 ,10.0.0.2:7900");
        assertThat(c.peers()).map(HostPort::toString).containsExactly("10.0.0.1:7811", "10.0.0.2:7900");
        assertThat(c.clustered()).isTrue();
    }

    private static Optional<String> localNonLoopbackIpv4() throws SocketException {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return Optional.of(a.getHostAddress());
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void theRequestBudgetDefaultsToNodeLimitsEnvAndEachPartCanBeSetByOptionOrEnvironment() {
        dev.tandem.overload.OverloadLimits d = dev.tandem.overload.OverloadLimits.defaults();
        assertThat(load().overload()).isEqualTo(d);
        env.put("TANDEM_MAX_QUEUED", "3");
        NodeConfig c = load("--max-requests", "5", "--queue-ms", "250");
        assertThat(c.overload()).isEqualTo(new dev.tandem.overload.OverloadLimits(5, 3, Duration.ofMillis(250)));
        assertThat(JettyIni.lines(c)).contains("-Dtandem.max.requests=5", "-Dtandem.max.queued=3", "-Dtandem.queue.ms=250");
    }

    @Test
    void aRequestLimitNotGivenIsLeftToTheMachineThatRunsAWarNodeAndTheAgentPortIsPassedOn() {
        NodeConfig c = load("--agent-port", "8181");
        assertThat(c.overload().maxRequestsGiven()).isFalse();
        assertThat(c.overload().agentPort()).isEqualTo(8181);
        assertThat(JettyIni.lines(c)).contains("-Dtandem.max.requests=" + System.lineSeparator(), "-Dtandem.agent.port=8181");
        assertThat(JettyIni.lines(load())).contains("-Dtandem.agent.port=" + System.lineSeparator());
    }

    @Test
    void anAgentPortOutsideThePortRangeIsRefusedNamingTheOption() {
        refused("--agent-port", "--agent-port", "70000").hasMessageContaining("70000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--max-requests", "--max-queued"})
    void aRequestBudgetOfNothingIsRefusedNamingTheOption(String option) {
        refused(option, option, "0").hasMessageContaining("0");
    }
}
