package dev.tandem.config;

import static dev.tandem.config.ConfigFixture.FOREIGN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import org.eclipse.jetty.util.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The node's default name, its cluster host and peers, and the request budget. */
class NodeDefaultsConfigTest {
    private final ConfigFixture config = new ConfigFixture();

    @ParameterizedTest(name = "hostname {0}")
    @ValueSource(strings = {"Web-01.example.com", "web-01", "WEB-01.local"})
    void theDefaultNodeNameIsTheFirstLabelOfTheHostNameInLowerCase(String hostname) {
        assertThat(ConfigLoader.sanitize(hostname)).isEqualTo("web-01");
        NodeConfig c = ((ConfigLoader.Start) new ConfigLoader(config.env, () -> hostname).load()).config();
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
        assertThat(config.load("--host", "127.0.0.1", "--peers", FOREIGN).clusterHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void withAWildcardHostTheLocalAddressAmongThePeersIsTheClusterHost() throws SocketException {
        Optional<String> local = localNonLoopbackIpv4();
        assumeThat(local).as("this machine has a non-loopback IPv4 address").isPresent();
        NodeConfig c = config.load("--peers", FOREIGN + ":7800," + local.get() + ":7800");
        assertThat(c.clusterHost()).isEqualTo(local.get());
    }

    @Test
    void withAWildcardHostAndNoLocalPeerTheClusterHostMustBeGiven() {
        config.refused("--cluster-host", "--peers", FOREIGN + ":7800").hasMessageContaining("required");
    }

    @Test
    void anExplicitLoopbackClusterHostIsAccepted() {
        assertThat(config.load("--peers", FOREIGN, "--cluster-host", "127.0.0.1").clusterHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void peersWithoutAPortUseTheClusterPortAndDuplicatesCollapse() {
        NodeConfig c = config.load("--host", "127.0.0.1", "--cluster-port", "7811", "--peers", "10.0.0.1, 10.0.0.1:7811 ,10.0.0.2:7900");
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
        assertThat(config.load().overload()).isEqualTo(d);
        config.env.put("TANDEM_MAX_QUEUED", "3");
        NodeConfig c = config.load("--max-requests", "5", "--queue-ms", "250");
        assertThat(c.overload()).isEqualTo(new dev.tandem.overload.OverloadLimits(5, 3, Duration.ofMillis(250)));
        assertThat(JettyIni.lines(c)).contains("-Dtandem.max.requests=5", "-Dtandem.max.queued=3", "-Dtandem.queue.ms=250");
    }

    @Test
    void aRequestLimitNotGivenIsLeftToTheMachineThatRunsAWarNodeAndTheAgentPortIsPassedOn() {
        NodeConfig c = config.load("--agent-port", "8181");
        assertThat(c.overload().maxRequestsGiven()).isFalse();
        assertThat(c.overload().agentPort()).isEqualTo(8181);
        assertThat(JettyIni.lines(c)).contains("-Dtandem.max.requests=" + System.lineSeparator(), "-Dtandem.agent.port=8181");
        assertThat(JettyIni.lines(config.load())).contains("-Dtandem.agent.port=" + System.lineSeparator());
    }

    @Test
    void aWarNodeIsToldToKeepNoHeaderCacheAsTheJarKeepsNone() {
        assertThat(JettyIni.lines(config.load())).contains("jetty.httpConfig.headerCacheSize=" + HeaderCache.SIZE + System.lineSeparator());
    }

    @Test
    void anAgentPortOutsideThePortRangeIsRefusedNamingTheOption() {
        config.refused("--agent-port", "--agent-port", "70000").hasMessageContaining("70000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--max-requests", "--max-queued"})
    void aRequestBudgetOfNothingIsRefusedNamingTheOption(String option) {
        config.refused(option, option, "0").hasMessageContaining("0");
    }
}
