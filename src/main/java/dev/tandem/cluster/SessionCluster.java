package dev.tandem.cluster;

import dev.tandem.config.NodeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
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

    /**
     * A pause this long may have cost the node its place in the view: FD_ALL3's 8 s timeout in
     * tandem-infinispan.xml, less a margin. After it, the node waits this long for a view change
     * before it trusts its view again (FD_ALL3's 2 s interval + VERIFY_SUSPECT2's 1 s, doubled,
     * plus one MERGE3 round).
     */
    static final Duration SUSPECT_PAUSE = Duration.ofSeconds(6);
    static final Duration SETTLE_AFTER_PAUSE = Duration.ofSeconds(11);
    /** A session lock held longer than this may have been broken (see SUSPECT_PAUSE): no write after it. */
    public static final Duration MAX_LOCK_HOLD = Duration.ofSeconds(5);

    private final NodeConfig config;
    private final EmbeddedCacheManager manager;
    private final PauseFence fence = new PauseFence(SUSPECT_PAUSE, SETTLE_AFTER_PAUSE, MAX_LOCK_HOLD);
    private final List<Consumer<Set<String>>> viewListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService viewWork = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tandem-view-work");
        t.setDaemon(true);
        return t;
    });
    private Cache<String, InfinispanSessionData> cache;
    private Cache<String, String> locks;
    private final CompletableFuture<Void> initialState = new CompletableFuture<>();

    public SessionCluster(NodeConfig config) {
        this.config = config;
        this.manager = CacheManagers.create(config);
    }

    /** Called (off the JGroups thread) with the members' names after every view change. */
    public void onViewChange(Consumer<Set<String>> listener) {
        viewListeners.add(listener);
    }

    public PauseFence fence() {
        return fence;
    }

    /** The replicated cache of per-session locks (see dev.tandem.session.SessionLocks). */
    public Cache<String, String> locks() {
        return locks;
    }

    /** Joins the cluster (bounded by JGroups' join timeout) and starts the session cache. */
    public void start() {
        long t0 = System.nanoTime();
        manager.start();
        manager.addListener(new ViewLogger());
        manager.addListener(new ViewChanges(() -> {
            fence.viewChanged();
            viewWork.execute(() -> {
                Set<String> members = Set.copyOf(members());
                restoreAvailabilityWithMajority(members);
                viewListeners.forEach(l -> l.accept(members));
            });
        }));
        cache = manager.getCache(CacheManagers.SESSION_CACHE);
        locks = manager.getCache(CacheManagers.LOCK_CACHE);
        fence.start();
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
        return fence.refusal();
    }

    /**
     * Ends degraded mode once this node sees a strict majority of the configured nodes again.
     *
     * <p>Infinispan counts a majority of the last stable topology, whose members never return
     * after a crash (a restarted node joins as a new member), so a failure chain would leave the
     * cluster refusing forever. Counting node names instead is safe here: a node that is degraded
     * had joined before, so it holds every acknowledged write (replicated to all), and a node name
     * is one host and port, so while this side holds a majority of the names no other side can.
     */
    private void restoreAvailabilityWithMajority(Set<String> members) {
        int configured = config.peers().size();
        if (!config.clustered() || members.size() * 2 <= configured || !initialState.isDone()
                || initialState.isCompletedExceptionally()) {
            return;
        }
        for (Cache<?, ?> c : List.of(cache, locks)) {
            if (c.getStatus().allowInvocations() && c.getAdvancedCache().getAvailability() == AvailabilityMode.DEGRADED_MODE) {
                LOG.warn("{}: {} of {} configured nodes are members again {}; leaving degraded mode",
                        c.getName(), members.size(), configured, members);
                try {
                    c.getAdvancedCache().setAvailability(AvailabilityMode.AVAILABLE);
                } catch (RuntimeException e) {
                    LOG.warn("{}: could not leave degraded mode yet: {}", c.getName(), e.toString());
                }
            }
        }
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
        fence.close();
        viewWork.shutdownNow();
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
