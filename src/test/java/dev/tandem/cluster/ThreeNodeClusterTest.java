package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.lifecycle.ListeningAddress;
import dev.tandem.lifecycle.Warmup;
import dev.tandem.testing.InJvmCluster;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import dev.tandem.testing.history.SessionWorkload;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.infinispan.health.HealthStatus;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Real nodes in this JVM (two to four), clustered over JGroups TCP on loopback. */
class ThreeNodeClusterTest {
    private InJvmCluster cluster;

    @AfterEach
    void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aSessionWrittenThroughOneNodeIsReadAndChangedThroughTheOthersAndOutlivesItsFirstNode() {
        cluster = new InJvmCluster(4);
        List<RunningNode> nodes = cluster.startAll("a", "b", "c");
        RunningNode a = nodes.get(0);
        RunningNode b = nodes.get(1);
        RunningNode c = nodes.get(2);

        TestHttp user = a.client();
        for (int i = 1; i <= 5; i++) {
            assertThat(user.post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(i);
        }
        assertThat(user.put("/api/session/attributes/colour", "\"green\"").status()).isEqualTo(204);
        assertThat(user.post("/api/cart/items", "{\"sku\":\"tea\",\"qty\":2}").status()).isEqualTo(201);
        String id = user.sessionId();
        assertThat(id).endsWith(".a");

        TestHttp.Reply onB = user.at(b.uri()).get("/api/session");
        assertThat(onB.node()).isEqualTo("b");
        assertThat(onB.json().get("counter").asLong()).isEqualTo(5);
        assertThat(onB.json().at("/attributes/colour").asText()).isEqualTo("green");
        assertThat(user.sessionId()).as("the cookie suffix follows the node that served").endsWith(".b");
        assertThat(user.post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(6);
        assertThat(user.at(c.uri()).post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(7);
        assertThat(user.at(c.uri()).put("/api/session/attributes/colour", "\"blue\"").status()).isEqualTo(204);
        assertThat(user.at(a.uri()).get("/api/session").json().get("counter").asLong()).isEqualTo(7);

        a.close();
        InJvmCluster.awaitMembers(2, b, c);
        for (RunningNode survivor : List.of(b, c)) {
            TestHttp.Reply r = user.at(survivor.uri()).get("/api/session");
            assertThat(r.json().get("counter").asLong()).isEqualTo(7);
            assertThat(r.json().at("/attributes/colour").asText()).isEqualTo("blue");
            assertThat(user.get("/api/cart").json().get("totalQuantity").asInt()).isEqualTo(2);
        }
        assertThat(user.at(b.uri()).post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(8);

        RunningNode late = cluster.start("d", 3);
        InJvmCluster.awaitMembers(3, b, c, late);
        TestHttp.Reply onLate = user.at(late.uri()).get("/api/session");
        assertThat(onLate.node()).isEqualTo("d");
        assertThat(onLate.json().get("counter").asLong()).as("a late joiner sees existing sessions").isEqualTo(8);
        assertThat(late.node().cluster().localSessionCount()).isGreaterThanOrEqualTo(1);

        assertThat(user.at(c.uri()).delete("/api/session").status()).isEqualTo(204);
        for (RunningNode n : List.of(b, c, late)) {
            TestHttp oldCookie = new TestHttp(n.uri());
            oldCookie.sessionId(id);
            TestHttp.Reply after = oldCookie.get("/api/session");
            assertThat(after.json().get("new").asBoolean()).as("invalidated on every node (" + n.name() + ")").isTrue();
            assertThat(after.json().get("counter").asLong()).isZero();
        }
    }

    @Test
    void aNodeThatFindsNoPeerServesNoSessionUntilAMajorityOfTheConfiguredNodesHasJoined() {
        cluster = new InJvmCluster(3);
        RunningNode a = cluster.start("a", 0);
        // Alone, a forms a cluster of one whose cache is empty: it must refuse, not hand out new sessions.
        Awaitility.await("a alone in its own view").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> a.client().get("/api/node").json().get("members").size() == 1);
        TestHttp.Reply ready = a.client().get("/health/ready");
        assertThat(ready.status()).as(ready.body()).isEqualTo(503);
        assertThat(ready.json().get("reason").asText()).contains("sees 1 of the 3 configured nodes");
        TestHttp user = a.client();
        TestHttp.Reply refused = user.post("/api/session/counter", null);
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.json().get("error").asText()).isEqualTo("session_unavailable");
        assertThat(a.node().cluster().localSessionCount()).as("nothing stored").isZero();
        assertThat(a.node().cluster().cache().getAdvancedCache().getAvailability())
                .as("alone, its caches are degraded: available and empty, they would win a merge").isEqualTo(AvailabilityMode.DEGRADED_MODE);

        RunningNode b = cluster.start("b", 1);
        InJvmCluster.awaitMembers(2, a, b);
        assertThat(a.node().cluster().cache().getAdvancedCache().getAvailability()).isEqualTo(AvailabilityMode.AVAILABLE);
        assertThat(user.post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(1);
        assertThat(user.at(b.uri()).get("/api/session").json().get("counter").asLong()).isEqualTo(1);
    }

    @Test
    void aCoordinatorLeavingRightAfterANodeRejoinedWaitsForTheRebalanceAndTheNextRestartedNodeBecomesReady() {
        // A rolling restart's busiest moment: the oldest member, Infinispan's coordinator, is told
        // to leave while the node restarted before it is still being rebalanced in (its leave waits
        // for the caches to settle, see SessionLayer.leave), and comes back straight after.
        cluster = new InJvmCluster(3);
        RunningNode a = cluster.start("a", 0);
        RunningNode b = cluster.start("b", 1);
        RunningNode c = cluster.start("c", 2);
        InJvmCluster.awaitMembers(3, a, b, c);
        // Enough replicated entries that handing them to a joiner takes a while.
        Cache<String, String> board = a.node().cluster().cache().getCacheManager().getCache(SharedCaches.BOARD);
        Map<String, String> filler = new HashMap<>();
        for (int i = 0; i < 40_000; i++) {
            filler.put("filler-" + i, "x".repeat(200));
        }
        board.putAll(filler);
        TestHttp user = b.client();
        assertThat(user.post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(1);

        c.close();
        RunningNode c2 = cluster.start("c", 2);
        boolean rebalancingAtLeave = health(a) == HealthStatus.HEALTHY_REBALANCING;
        a.close();
        RunningNode a2 = cluster.start("a", 0);
        InJvmCluster.awaitMembers(3, a2, b, c2);
        Awaitility.await("every cache settled on every node").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(List.of(health(a2), health(b), health(c2))).containsOnly(HealthStatus.HEALTHY));
        assertThat(user.at(a2.uri()).post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(2);
        LoggerFactory.getLogger(ThreeNodeClusterTest.class).info("rebalancing when a left: {}", rebalancingAtLeave);
    }

    @Test
    void aWriteLeftOnOneNodeOnlyIsRefusedThereOnceThenThePrimarysCopyIsRestoredEverywhereAndTheSessionWorks() {
        // What a primary owner killed mid-write leaves behind (HaproxyFailoverIT F1): one member
        // holds a write the primary never kept, its client got an error. Without repair that
        // member refused every request of the session (each conditional write failed) until expiry.
        List<RunningNode> nodes = startCluster("a", "b", "c");
        TestHttp user = nodes.get(0).client();
        for (int i = 1; i <= 3; i++) {
            assertThat(user.post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(i);
        }
        String clusterId = SessionWorkload.clusterId(user.sessionId());
        Cache<String, InfinispanSessionData> anyCache = nodes.get(0).node().cluster().cache();
        String key = anyCache.keySet().stream().filter(k -> k.endsWith(clusterId)).findFirst().orElseThrow();
        String primary = anyCache.getAdvancedCache().getDistributionManager().getCacheTopology()
                .getDistribution(anyCache.getAdvancedCache().getKeyDataConversion().toStorage(key)).primary().toString();
        RunningNode holder = nodes.stream().filter(n -> !n.name().equals(primary)).findFirst().orElseThrow();
        InfinispanSessionData atThree = local(nodes.get(0)).get(key);

        // The write of 4 reaches every member; then every member but the holder forgets it again.
        assertThat(user.post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(4);
        nodes.stream().filter(n -> n != holder).forEach(n -> local(n).put(key, atThree));

        TestHttp.Reply refused = user.at(holder.uri()).post("/api/session/counter", null);
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.json().get("error").asText()).isEqualTo("session_unavailable");
        Awaitility.await("the holder serves the session again").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> user.at(holder.uri()).post("/api/session/counter", null).status() == 200);
        long after = user.at(holder.uri()).get("/api/session").json().get("counter").asLong();
        assertThat(after).as("the primary's copy (3) won, then the retried write").isEqualTo(4);
        for (RunningNode n : nodes) {
            assertThat(user.at(n.uri()).get("/api/session").json().get("counter").asLong()).as(n.name()).isEqualTo(after);
        }
    }

    @Test
    void theLastNodeOfATwoNodeClusterKeepsServingWhenItsCoordinatorIsDrainedBeforeItsLeaveWasRebalanced() {
        // Infinispan's coordinator leaving in order: if the rebalance its leave starts has not
        // finished, the survivor (the new coordinator) still finds it in the last stable topology
        // and counts it as lost, half of two. WarLabIT met it by chance; rebalancing switched off
        // here makes it certain. Without GracefulLeaves b refused every session from then on.
        List<RunningNode> nodes = startCluster("a", "b");
        RunningNode a = nodes.get(0);
        RunningNode b = nodes.get(1);
        var cacheManager = a.node().cluster().cache().getCacheManager();
        assertThat(cacheManager.isCoordinator()).as("the first node started coordinates").isTrue();
        TestHttp user = b.client();
        assertThat(user.post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(1);

        org.infinispan.commons.util.concurrent.CompletionStages.join(
                org.infinispan.factories.GlobalComponentRegistry.componentOf(cacheManager,
                        org.infinispan.topology.ClusterTopologyManager.class).setRebalancingEnabled(false));
        a.close();

        Awaitility.await("b serves the session alone").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    TestHttp.Reply r = user.post("/api/session/counter", null);
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    assertThat(r.json().get("value").asLong()).isEqualTo(2);
                });
        assertThat(b.client().get("/health/ready").status()).isEqualTo(200);
    }

    private static org.infinispan.AdvancedCache<String, InfinispanSessionData> local(RunningNode n) {
        return n.node().cluster().cache().getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD);
    }

    private static HealthStatus health(RunningNode n) {
        return n.node().cluster().cache().getCacheManager().getHealth().getClusterHealth().getHealthStatus();
    }

    @Test
    void aClusteredNodesWarmUpPassPacesItsSessionRoundsAndLeavesNoSessionOnAnyMember() throws Exception {
        List<RunningNode> nodes = startCluster("wa", "wb");
        RunningNode a = nodes.get(0);
        long t0 = System.nanoTime();
        Warmup pass = new Warmup(ListeningAddress.of(a.node().server()), Duration.ofSeconds(2), 10, 4, () -> a.node().cluster().notReadyReason().isEmpty());
        pass.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(pass.failures()).as("failed requests").isZero();
        assertThat(pass.sessionRounds()).as("session rounds in %.1f s at 10/s", seconds)
                .isPositive().isLessThanOrEqualTo((long) Math.ceil(seconds * 10) + 1);
        assertThat(pass.requests()).as("requests without a session beside them").isGreaterThan(6 * pass.sessionRounds());
        for (RunningNode n : nodes) {
            Awaitility.await(n.name() + " holds no session of the pass").atMost(Duration.ofSeconds(10))
                    .until(() -> n.node().cluster().localSessionCount() == 0);
        }
    }

    /** A cluster of these nodes, all started and members of one view. */
    private List<RunningNode> startCluster(String... names) {
        cluster = new InJvmCluster(names.length);
        return cluster.startAll(names);
    }
}
