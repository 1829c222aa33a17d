package dev.tandem.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.NodeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.jetty.util.HostPort;
import dev.tandem.session.SessionLayer;
import dev.tandem.testing.history.SessionWorkload;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;

/**
 * Real nodes in this JVM, clustered over JGroups TCP on loopback: a cluster name of its own and a
 * free cluster port per configured node. Closing it stops every node it started.
 */
public final class InJvmCluster implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private final String name = "test-" + UUID.randomUUID();
    private final List<HostPort> addresses = new ArrayList<>();
    private final List<RunningNode> running = new ArrayList<>();

    /** A cluster of {@code size} configured nodes, none started yet. */
    public InJvmCluster(int size) {
        for (int i = 0; i < size; i++) {
            addresses.add(new HostPort(HOST, FreePorts.clusterPort(HOST)));
        }
    }

    /** Starts a node at the {@code index}-th configured address. */
    public RunningNode start(String node, int index) {
        NodeConfig config = NodeConfig.standalone(node)
                .withCluster(HOST, addresses.get(index).getPort(), List.copyOf(addresses), name)
                .withTransportSecurity(TestCredentials.shared());
        RunningNode started = RunningNode.start(config);
        running.add(started);
        return started;
    }

    /** Starts these nodes at the first addresses, in order, and waits until they are ready in one view. */
    public List<RunningNode> startAll(String... nodes) {
        List<RunningNode> started = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            started.add(start(nodes[i], i));
        }
        awaitMembers(nodes.length, started.toArray(RunningNode[]::new));
        return started;
    }

    /** Waits until every one of these nodes is ready and sees {@code count} members. */
    public static void awaitMembers(int count, RunningNode... nodes) {
        Awaitility.await("cluster of " + count).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    for (RunningNode n : nodes) {
                        TestHttp.Reply ready = n.client().get("/health/ready");
                        assertThat(ready.status()).as(n.name() + " ready: " + ready.body()).isEqualTo(200);
                        assertThat(n.client().get("/api/node").json().get("members")).hasSize(count);
                    }
                });
    }

    /** Drops every message to and from the node in its own stack: to its peers it has stopped answering. */
    public static void cutOff(RunningNode node) {
        JChannel channel = ((JGroupsTransport) GlobalComponentRegistry.componentOf(manager(node), Transport.class)).getChannel();
        DISCARD discard = new DISCARD();
        discard.setAddress(channel.getAddress());
        try {
            channel.getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
        } catch (Exception e) {
            throw new IllegalStateException("cannot cut " + node.name() + " off", e);
        }
        discard.discardAll(true);
    }

    public static EmbeddedCacheManager manager(RunningNode node) {
        return node.node().cluster().cache().getCacheManager();
    }

    /** Whether the node is the key's primary owner in that cache (the member that decides its writes); the key as the application names it. */
    public static boolean decides(RunningNode node, String cacheName, Object key) {
        AdvancedCache<Object, Object> cache = manager(node).getCache(cacheName).getAdvancedCache();
        Object stored = cache.getKeyDataConversion().toStorage(key);
        return cache.getDistributionManager().getCacheTopology().getDistribution(stored).isPrimary();
    }

    /** A new user of {@code entry} with one counter write, whose session's entry {@code primary} decides. */
    public static TestHttp userWhoseSessionIsDecidedBy(RunningNode primary, RunningNode entry) {
        for (int tries = 0; tries < 60; tries++) {
            TestHttp user = entry.client();
            assertThat(user.post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(1);
            if (decides(primary, SessionLayer.SESSION_CACHE, sessionKey(primary, user))) {
                return user;
            }
        }
        throw new AssertionError("no session in 60 whose entry " + primary.name() + " decides");
    }

    /** The user's session's entry key in the node's replica: Jetty names it {@code <context>_<vhost>_<id>}. */
    public static Object sessionKey(RunningNode node, TestHttp user) {
        String id = SessionWorkload.clusterId(user.sessionId());
        AdvancedCache<Object, Object> sessions = manager(node).getCache(SessionLayer.SESSION_CACHE).getAdvancedCache();
        return sessions.withFlags(Flag.CACHE_MODE_LOCAL).keySet().stream()
                .filter(k -> k.toString().endsWith("_" + id)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry for session " + id + " on " + node.name()));
    }

    /** The holder of the user's session lock in the node's own replica, or null. */
    public static String sessionLockOf(RunningNode node, TestHttp user) {
        return manager(node).<String, String>getCache(SessionLayer.LOCK_CACHE).getAdvancedCache()
                .withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD).get(SessionWorkload.clusterId(user.sessionId()));
    }

    /** Stops every node started here that is still running. */
    @Override
    public void close() {
        for (RunningNode n : running) {
            try {
                n.close();
            } catch (RuntimeException ignored) {
                // already stopped by the test
            }
        }
    }
}
