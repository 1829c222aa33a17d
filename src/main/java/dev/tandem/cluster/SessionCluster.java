package dev.tandem.cluster;

import dev.tandem.config.NodeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.infinispan.Cache;
import org.infinispan.factories.ComponentRegistry;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.infinispan.remoting.transport.Address;
import org.infinispan.statetransfer.StateTransferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's membership in the session cluster: starts the cache manager, knows when this node has
 * received its state, and leaves only when its data is safe on the others.
 */
public final class SessionCluster implements ClusterView, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionCluster.class);

    private final NodeConfig config;
    private final EmbeddedCacheManager manager;
    private Cache<String, InfinispanSessionData> cache;
    private final CompletableFuture<Void> initialState = new CompletableFuture<>();

    public SessionCluster(NodeConfig config) {
        this.config = config;
        this.manager = CacheManagers.create(config);
    }

    /** Joins the cluster (bounded by JGroups' join timeout) and starts the session cache. */
    public void start() {
        long t0 = System.nanoTime();
        manager.start();
        manager.addListener(new ViewLogger());
        cache = manager.getCache(CacheManagers.SESSION_CACHE);
        if (config.clustered()) {
            LOG.info("joined cluster '{}' as {} at {}:{} with peers {}; members {}", config.clusterName(),
                    config.node(), config.clusterHost(), config.clusterPort(), config.peers(), manager.getMembers());
            // The cache serves at once; readiness waits for this node's own copy of the sessions.
            Thread waiter = new Thread(() -> {
                try {
                    ComponentRegistry.componentOf(cache, StateTransferManager.class).waitForInitialStateTransferToComplete();
                    LOG.info("session state received from the cluster in {} ms", (System.nanoTime() - t0) / 1_000_000);
                    initialState.complete(null);
                } catch (RuntimeException e) {
                    initialState.completeExceptionally(e);
                }
            }, "tandem-initial-state");
            waiter.setDaemon(true);
            waiter.start();
        } else {
            LOG.info("standalone: sessions in a local cache (no --peers given)");
            initialState.complete(null);
        }
    }

    public Cache<String, InfinispanSessionData> cache() {
        return cache;
    }

    @Override
    public boolean clustered() {
        return config.clustered();
    }

    @Override
    public List<String> members() {
        if (!config.clustered()) {
            return List.of(config.node());
        }
        List<Address> members = manager.getMembers();
        return members == null ? List.of() : members.stream().map(Address::toString).sorted().toList();
    }

    /** Sessions stored on this node: with a replicated cache that is every session of the cluster. */
    public int localSessionCount() {
        return cache == null || !cache.getStatus().allowInvocations() ? 0
                : cache.getAdvancedCache().withFlags(org.infinispan.context.Flag.CACHE_MODE_LOCAL,
                        org.infinispan.context.Flag.SKIP_CACHE_LOAD).size();
    }

    @Override
    public Optional<String> notReadyReason() {
        if (cache == null || cache.getStatus() != ComponentStatus.RUNNING) {
            return Optional.of("session cache not running");
        }
        if (!initialState.isDone()) {
            return Optional.of("receiving session state from the cluster");
        }
        if (initialState.isCompletedExceptionally()) {
            return Optional.of("state transfer failed");
        }
        if (config.clustered() && cache.getAdvancedCache().getAvailability() != AvailabilityMode.AVAILABLE) {
            return Optional.of("cluster degraded: this node is in a minority partition");
        }
        return Optional.empty();
    }

    /**
     * Leaves the cluster once no rebalance is running (a cache stopped mid-rebalance can lose the
     * entries it was handing over), so every session this node holds is also held by the others.
     */
    public void leave(Duration budget) {
        if (cache != null && config.clustered() && cache.getStatus().allowInvocations()) {
            StateTransferManager stm = ComponentRegistry.componentOf(cache, StateTransferManager.class);
            long deadline = System.nanoTime() + budget.toNanos();
            while (stm.isStateTransferInProgress() && System.nanoTime() < deadline) {
                sleepQuietly(50);
            }
            List<String> others = members().stream().filter(m -> !m.equals(config.node())).toList();
            if (stm.isStateTransferInProgress()) {
                LOG.warn("leaving while a rebalance is still running after {}; sessions not yet copied may be lost", budget);
            } else if (others.isEmpty()) {
                LOG.warn("last member leaving: sessions are not kept anywhere else");
            } else {
                LOG.info("sessions are held by {} too; leaving the cluster", others);
            }
        }
        close();
    }

    @Override
    public void close() {
        if (manager.getStatus().allowInvocations() || manager.getStatus() == ComponentStatus.INITIALIZING) {
            manager.stop();
            LOG.info("left the cluster, cache manager stopped");
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
