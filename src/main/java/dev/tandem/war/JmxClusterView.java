package dev.tandem.war;

import dev.tandem.cluster.ClusterView;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The cluster as a WAR sees it. Jetty hides its Infinispan classes from webapps, so the node reads
 * the cache manager's JMX attributes instead (tandem-infinispan.xml turns JMX on).
 */
final class JmxClusterView implements ClusterView {
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName manager;
    private final ObjectName cache;
    private final ObjectName stateTransfer;
    private volatile boolean initialStateReceived;

    JmxClusterView() {
        try {
            manager = new ObjectName("org.infinispan:type=CacheManager,name=\"tandem\",component=CacheManager");
            cache = new ObjectName("org.infinispan:type=Cache,name=\"jetty-sessions(repl_sync)\",manager=\"tandem\",component=Cache");
            stateTransfer = new ObjectName(
                    "org.infinispan:type=Cache,name=\"jetty-sessions(repl_sync)\",manager=\"tandem\",component=StateTransferManager");
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<String> members() {
        String raw = String.valueOf(read(manager, "clusterMembers").orElse(""));
        return Arrays.stream(raw.replace("[", "").replace("]", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).sorted().toList();
    }

    @Override
    public Optional<String> notReadyReason() {
        if (!"RUNNING".equals(String.valueOf(read(cache, "cacheStatus").orElse("")))) {
            return Optional.of("session cache not running (is the jetty-base's tandem module enabled?)");
        }
        if (!initialStateReceived) {
            boolean joined = Boolean.TRUE.equals(read(stateTransfer, "joinComplete").orElse(false));
            boolean moving = Boolean.TRUE.equals(read(stateTransfer, "stateTransferInProgress").orElse(true));
            if (!joined || moving) {
                return Optional.of("receiving session state from the cluster");
            }
            initialStateReceived = true;
        }
        if (!"AVAILABLE".equals(String.valueOf(read(cache, "cacheAvailability").orElse("")))) {
            return Optional.of("cluster degraded: this node is in a minority partition");
        }
        return Optional.empty();
    }

    @Override
    public boolean clustered() {
        return true;
    }

    /**
     * Leaves the session cache the orderly way (after any running rebalance), so the others see a
     * departure, not a crash: a crash of one of two members would put the survivor in degraded mode.
     */
    void leave(java.time.Duration budget) throws JMException, InterruptedException {
        long deadline = System.nanoTime() + budget.toNanos();
        while (Boolean.TRUE.equals(read(stateTransfer, "stateTransferInProgress").orElse(false))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        server.invoke(cache, "stop", new Object[0], new String[0]);
    }

    private Optional<Object> read(ObjectName name, String attribute) {
        try {
            return Optional.ofNullable(server.getAttribute(name, attribute));
        } catch (JMException e) {
            return Optional.empty();
        }
    }
}
