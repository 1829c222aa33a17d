package dev.tandem.session;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.infinispan.Cache;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.remoting.transport.Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's sessions on its Infinispan cache manager, built once and used by the fat jar and by WAR
 * nodes alike (the jar through dev.tandem.cluster.SessionCluster, a WAR node as a bean of Jetty's
 * Server from the jetty-base's etc/tandem-sessions.xml): the session caches, their locks, the
 * pause fence, what happens on a view change, readiness ({@link SessionReadiness}), and the handlers
 * requests go through.
 * It depends on Jetty, Infinispan and SLF4J only, so it can live inside Jetty (see {@link WarNodes}).
 */
public final class SessionLayer extends AbstractLifeCycle {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLayer.class);

    public static final String SESSION_CACHE = "jetty-sessions";
    public static final String LOCK_CACHE = "tandem-session-locks";
    /**
     * A pause this long may have cost the node its place in the view: FD_ALL3's 8 s timeout in
     * tandem-infinispan.xml, less a margin. After it, the node waits this long for a view change
     * before it trusts its view again (FD_ALL3's 2 s interval + VERIFY_SUSPECT2's 1 s, doubled,
     * plus one MERGE3 round).
     */
    static final Duration SUSPECT_PAUSE = Duration.ofSeconds(6);
    static final Duration SETTLE_AFTER_PAUSE = Duration.ofSeconds(11);
    /** A session lock held longer than this may have been broken (see SUSPECT_PAUSE): no write after it. */
    static final Duration MAX_LOCK_HOLD = Duration.ofSeconds(5);
    /** How long a request waits for a session another request holds before it is answered 503. */
    static final Duration LOCK_WAIT = Duration.ofSeconds(3);
    /**
     * A lock this node's requests pass to each other, or keep for the next one, while its entry is
     * younger than this, so a request of another node for the same session waits at most about this
     * long plus its poll (a kept lock goes back as soon as another node asks: {@link LockAsks}).
     */
    static final Duration LOCK_PASS_FOR = Duration.ofMillis(200);
    /** After that, if another node asked for it, this node asks again only after a waiter elsewhere has looked at the lock. */
    static final Duration LOCK_YIELD_FOR = SessionLocks.LONGEST_POLL.plusMillis(1);
    /** A lock nobody gives back (its holder crashed and the view change was missed) lapses after this. */
    static final Duration LOCK_LEASE = Duration.ofSeconds(30);
    /** How long an expired session's entry lingers in Infinispan before it is reaped. */
    static final Duration EXPIRY_GRACE = Duration.ofMinutes(1);
    /** Requests here read the session without its lock and never write it (long waits go here). */
    public static final List<String> READ_ONLY_PATHS = List.of("/health/", "/metrics", "/api/events");

    private final EmbeddedCacheManager manager;
    private final String node;
    private final int configuredNodes;
    private final PauseFence fence = new PauseFence(SUSPECT_PAUSE, SETTLE_AFTER_PAUSE, MAX_LOCK_HOLD);
    private final ScheduledExecutorService viewWork = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tandem-view-work");
        t.setDaemon(true);
        return t;
    });
    /** Gives back the locks kept for a next request (a replicated remove each: off the request threads). */
    private final ScheduledExecutorService lockGiveBacks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tandem-lock-give-backs");
        t.setDaemon(true);
        return t;
    });
    private Cache<String, InfinispanSessionData> sessions;
    private SessionLocks locks;
    private SessionLockQueue lockQueue;
    private SharedReads sharedReads;
    private ReplicaRepair repair;
    private ViewGate gate;
    private CacheSettling settling;
    private volatile SessionReadiness readiness;
    private MajorityAvailability availability;
    private GracefulLeaves leaves;

    /**
     * @param manager         the node's cache manager, started or not
     * @param node            this node's name (the lock owner, and the session id suffix)
     * @param configuredNodes how many nodes the cluster is configured with (0 when standalone)
     */
    public SessionLayer(EmbeddedCacheManager manager, String node, int configuredNodes) {
        this.manager = manager;
        this.node = node;
        this.configuredNodes = configuredNodes;
    }

    /**
     * Access-time-only writes at most this often: 30 s, or a quarter of a short session timeout,
     * so no node takes an active session for an expired one.
     */
    public static Duration savePeriod(Duration sessionTimeout) {
        return Duration.ofSeconds(Math.max(1, Math.min(30, sessionTimeout.toSeconds() / 4)));
    }

    @Override
    protected void doStart() {
        long t0 = System.nanoTime();
        manager.start();
        sessions = manager.getCache(SESSION_CACHE);
        gate = new ViewGate(manager, sessions, clustered() ? configuredNodes : 0);
        repair = new ReplicaRepair(sessions, fence, gate, LOCK_LEASE);
        settling = new CacheSettling(manager);
        locks = new SessionLocks(manager.getCache(LOCK_CACHE), node, LOCK_WAIT, LOCK_LEASE, gate);
        lockQueue = new SessionLockQueue(locks, LOCK_PASS_FOR, LOCK_YIELD_FOR, lockGiveBacks);
        locks.asks().whenAsked(lockQueue::asked);
        sharedReads = new SharedReads(lockQueue);
        manager.addListener(new Views());
        fence.start();
        readiness = new SessionReadiness(sessions, manager.getCache(LOCK_CACHE), gate, settling, fence, clustered(),
                configuredNodes);
        // The cache serves at once; readiness waits for this node's own copy of the sessions.
        readiness.awaitInitialState(t0);
        if (!clustered()) {
            return;
        }
        leaves = new GracefulLeaves(manager);
        availability = new MajorityAvailability(manager, List.of(SESSION_CACHE, LOCK_CACHE), configuredNodes,
                readiness::hasInitialState, readiness::settledIn, leaves);
        availability.degradeInMinority(Set.copyOf(members()));
        // On every view change (below) and every second: Infinispan degrades a cache some time
        // after the view change that caused it, and makes it available again after a merge's.
        viewWork.scheduleWithFixedDelay(() -> {
            try {
                Set<String> members = Set.copyOf(members());
                availability.restore(members);
                locks.owed().giveBackWhenAvailable(members);
            } catch (RuntimeException e) {
                LOG.debug("availability check skipped (stopping?): {}", e.toString()); // next second tries again
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** Stops after Jetty's contexts (a WAR node): leaves the cluster in order. */
    @Override
    protected void doStop() {
        leave(Duration.ofSeconds(30));
    }

    public boolean clustered() {
        return manager.getCacheManagerConfiguration().isClustered();
    }

    public Cache<String, InfinispanSessionData> sessions() {
        return sessions;
    }

    /** Node names of the current members, this node included. */
    public List<String> members() {
        if (!clustered()) {
            return List.of(node);
        }
        List<Address> members = manager.getMembers();
        return members == null ? List.of() : members.stream().map(Address::toString).sorted().toList();
    }

    /** Empty when this node can serve sessions; otherwise why not (see {@link SessionReadiness}). */
    public Optional<String> notReadyReason() {
        return readiness == null ? SessionReadiness.NOT_RUNNING : readiness.notReadyReason();
    }

    /** Readiness and members as JDK types, for a webapp that cannot see these classes' dependencies. */
    public Supplier<Optional<String>> readiness() {
        return this::notReadyReason;
    }

    public Supplier<List<String>> memberNames() {
        return this::members;
    }

    /**
     * A session handler on these caches. The handler's cookie and timeout settings are the
     * caller's (the jar sets them, a WAR's web.xml does).
     */
    public ClusterSessionHandler newHandler(Duration sessionTimeout, StoreObserver observer) {
        SessionRequestScope scope = new SessionRequestScope(READ_ONLY_PATHS);
        ClusterSessionHandler handler = new ClusterSessionHandler(scope);
        SessionHolds holds = new SessionHolds();
        FencedSessionDataStore store = new FencedSessionDataStore(holds, fence, gate, observer, repair,
                new DecodedAttributes(), EXPIRY_GRACE);
        store.setCache(sessions);
        // Attributes travel as one serialized blob through Jetty's ProtoStream marshaller.
        store.setSerialization(true);
        // Access-time-only writes at most once per save period, and (with SessionTouchFilter)
        // always before the response.
        store.setSavePeriodSec((int) savePeriod(sessionTimeout).toSeconds());

        // No per-node copy: every request loads the latest acknowledged state, whichever node
        // wrote it, under the session's lock, so failover and fail-back never see a stale copy.
        LockingSessionCache cache = new LockingSessionCache(handler, lockQueue, sharedReads, holds, fence, scope, observer);
        cache.setSessionDataStore(store);
        // A new session is stored before the response that hands out its cookie.
        cache.setSaveOnCreate(true);
        // The response is sent only after the session write is stored (and replicated).
        cache.setFlushOnResponseCommit(true);
        // Data that cannot be read back (e.g. refused by the serial filter) is removed, not retried.
        cache.setRemoveUnloadableSessions(true);
        handler.setSessionCache(cache);
        handler.setMaxInactiveInterval((int) sessionTimeout.toSeconds());
        return handler;
    }

    /** Sessions stored on this node: with a replicated cache that is every session of the cluster. */
    public int localSessionCount() {
        return sessions == null || !sessions.getStatus().allowInvocations() ? 0
                : sessions.getAdvancedCache().withFlags(org.infinispan.context.Flag.CACHE_MODE_LOCAL,
                        org.infinispan.context.Flag.SKIP_CACHE_LOAD).size();
    }

    /**
     * Leaves the cluster once its caches have settled, so every session this node holds is also
     * held by the others and no rebalance or conflict resolution is cut short (see {@link CacheSettling}).
     */
    public void leave(Duration budget) {
        if (sessions != null && clustered() && sessions.getStatus().allowInvocations()) {
            long t0 = System.nanoTime();
            Optional<String> unsettled = Polling.untilEmpty(settling::unsettled, budget, Duration.ofMillis(50));
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            List<String> others = members().stream().filter(m -> !m.equals(node)).toList();
            if (unsettled.isPresent()) {
                LOG.warn("leaving while the cluster is still moving entries after {} ({}); sessions not yet copied may be lost",
                        budget, unsettled.get());
            } else if (others.isEmpty()) {
                LOG.warn("last member leaving: sessions are not kept anywhere else");
            } else {
                LOG.info("sessions are held by {} too; leaving the cluster{}", others,
                        waitedMs >= 50 ? " (waited " + waitedMs + " ms for the caches to settle)" : "");
            }
            announceLeave();
        }
        close();
    }

    /** Tells the others this leave is not a crash (see {@link GracefulLeaves}); best effort. */
    private void announceLeave() {
        if (leaves == null) {
            return;
        }
        try {
            leaves.announce(node);
        } catch (RuntimeException e) {
            LOG.warn("could not tell the others this node leaves in order ({}); they may count it as lost", e.toString());
        }
    }

    /** Stops the cache manager (no waiting: see {@link #leave}). */
    public void close() {
        fence.close();
        viewWork.shutdownNow();
        lockGiveBacks.shutdownNow();
        if (repair != null) {
            repair.close();
        }
        if (manager.getStatus().allowInvocations() || manager.getStatus() == ComponentStatus.INITIALIZING) {
            manager.stop();
            LOG.info("left the cluster, cache manager stopped");
        }
    }

    private void viewChanged() {
        fence.viewChanged();
        try {
            viewWork.execute(() -> {
                Set<String> members = Set.copyOf(members());
                if (availability != null) {
                    availability.restore(members);
                }
                // Locks of members that left (crashed, cut off, paused out of the view) go with them.
                locks.owed().giveBack(members);
            });
        } catch (RejectedExecutionException stopping) {
            // close() shut the view work just before the cache manager stops: this node is leaving
        }
    }

    /** Every view change and merge (on JGroups' thread, so the work goes elsewhere). */
    @org.infinispan.notifications.Listener
    public final class Views {
        @ViewChanged
        @Merged
        public void changed(ViewChangedEvent event) {
            viewChanged();
        }
    }
}
