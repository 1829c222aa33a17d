package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.FreePorts;
import dev.tandem.testing.TestCredentials;
import dev.tandem.transport.ClusterCacheManagers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two real cache managers in this JVM, clustered over JGroups TCP on loopback with the product's stack. */
class LeftOutMembersTest {
    private static final String HOST = "127.0.0.1";
    private final List<EmbeddedCacheManager> managers = new ArrayList<>();

    @AfterEach
    void stopAll() {
        managers.forEach(EmbeddedCacheManager::stop);
    }

    @Test
    void aSettledTopologyThatLeavesOutAMemberOfTheViewIsReportedOnceItHasForTheSetTime() {
        int portA = FreePorts.clusterPort(HOST);
        int portB = FreePorts.clusterPort(HOST);
        String cluster = "left-out-" + UUID.randomUUID();
        EmbeddedCacheManager a = start("a", portA, portB, cluster);
        EmbeddedCacheManager b = start("b", portB, portA, cluster);
        Cache<Object, Object> onA = a.getCache(SessionLayer.LOCK_CACHE);
        Cache<Object, Object> onB = b.getCache(SessionLayer.LOCK_CACHE);
        awaitSettledWith(onA, 2);
        LeftOutMembers leftOut = new LeftOutMembers(a, Duration.ofMillis(500));
        assertThat(leftOut.stillLeftOut(onA)).as("both in the topology").isEmpty();

        onB.stop(); // b leaves the cache, and stays in the view
        awaitSettledWith(onA, 1);
        assertThat(a.getMembers()).hasSize(2);
        long since = System.nanoTime();
        assertThat(leftOut.stillLeftOut(onA)).as("at first: maybe a joiner on its way").isEmpty();
        AtomicReference<Optional<List<Address>>> reported = new AtomicReference<>(Optional.empty());
        Awaitility.await("reported").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    reported.set(leftOut.stillLeftOut(onA));
                    return reported.get().isPresent();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - since)).as("not before its time").isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertThat(reported.get()).contains(List.of(b.getAddress()));
        assertThat(leftOut.stillLeftOut(onA)).as("the same topology again").isEmpty();
    }

    private EmbeddedCacheManager start(String node, int port, int peerPort, String cluster) {
        Properties p = new Properties();
        p.setProperty("tandem.node", node);
        p.setProperty("tandem.jmx.domain", "org.infinispan.left-out." + node + "." + cluster);
        p.setProperty("tandem.cluster.name", cluster);
        p.setProperty("tandem.cluster.host", HOST);
        p.setProperty("tandem.cluster.port", Integer.toString(port));
        p.setProperty("tandem.cluster.peers", HOST + "[" + port + "]," + HOST + "[" + peerPort + "]");
        EmbeddedCacheManager m = ClusterCacheManagers.create(
                LeftOutMembersTest.class.getResource("/dev/tandem/cluster/tandem-infinispan.xml"), p, TestCredentials.shared());
        managers.add(m);
        m.start();
        return m;
    }

    private static void awaitSettledWith(Cache<?, ?> cache, int members) {
        Awaitility.await("a topology of " + members + ", settled").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    CacheTopology t = CacheSettling.topology(cache);
                    return t != null && t.getPhase() == CacheTopology.Phase.NO_REBALANCE && t.getMembers().size() == members;
                });
    }
}
