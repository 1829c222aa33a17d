package dev.tandem.session;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.commons.util.concurrent.CompletionStages;
import org.infinispan.context.Flag;
import org.infinispan.functional.EntryView.ReadWriteEntryView;
import org.infinispan.functional.MetaParam;
import org.infinispan.functional.impl.FunctionalMapImpl;
import org.infinispan.functional.impl.ReadWriteMapImpl;
import org.infinispan.marshall.core.MarshallableFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heals a session whose copies disagree between members.
 *
 * <p>Infinispan's non-transactional replicated cache applies a write on the key's primary owner and
 * then sends it to the others; when the primary dies in between, some members keep a write the rest
 * never saw (its client got an error: the write was never acknowledged). A node holding such a copy
 * reads it locally, and the primary owner refuses every conditional write made from it
 * ({@code replace(key, expected, new)}): that session would be refused on that node, reads too,
 * until it expired (HaproxyFailoverIT F1, kill -9 under load).
 *
 * <p>So a refused write schedules a repair of its key, off the request thread: the primary owner's
 * copy is read there (a functional read-write that changes nothing) and, if this node's differs, it
 * is written again to all members ({@code replace(key, primary's, primary's)}, decided on the
 * primary owner: a write that came in meanwhile wins and the repair changes nothing). Infinispan's
 * ConflictManager, which the first version asked for every member's copy, is not used: a version
 * request in flight when the topology changes makes Infinispan 15.2 fail that cache's rebalance
 * (see {@link #settleOne}). The primary's copy is the one
 * the cluster decided on, and an acknowledged write is on every member, so the copy dropped is only
 * ever a write nobody was told succeeded. The refused request still answers 503; its retry works.
 * A node that does not trust its view (back from a pause, view changing, degraded) repairs nothing.
 *
 * <p>A write that got no answer in time (a peer cut off or frozen: a replication timeout) can also
 * stay on some members and not others, and then nothing refuses a write to tell: the user's next
 * read on another node would find another copy (CutOffSessionWriteTest). The copy the primary
 * owner holds, before or after the write, is written to every member again, every second until it
 * works ({@link #settle}), and the request keeps the session's lock until then: no request on any
 * node reads either copy in between.
 */
final class ReplicaRepair implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaRepair.class);
    /** More keys than this waiting for repair means something else is wrong: the rest are dropped. */
    private static final int MAX_PENDING = 1000;
    /** One settling write waits at most the session cache's remote timeout (5 s); the lock must outlast it. */
    private static final Duration LOCK_MARGIN = Duration.ofSeconds(6);

    private final Cache<String, InfinispanSessionData> cache;
    private final PauseFence fence;
    private final ViewGate gate;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Map<String, Unsettled> unsettled = new ConcurrentHashMap<>();
    private final Duration maxWait;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tandem-replica-repair");
        t.setDaemon(true);
        return t;
    });

    ReplicaRepair(Cache<String, InfinispanSessionData> cache, PauseFence fence, ViewGate gate, Duration maxWait) {
        this.cache = cache;
        this.maxWait = maxWait;
        this.fence = fence;
        this.gate = gate;
        worker.scheduleWithFixedDelay(this::settleAll, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * A write that got no answer in time: the entry before it (null for a new session, or for an
     * entry that must go whatever the primary owner kept: a moved session's old id), the one it
     * tried to store (null for a removal), and until when the request's lock is surely still its own.
     */
    private record Unsettled(InfinispanSessionData before, InfinispanSessionData attempted, long lifespanMs,
                             long deadlineNanos, CompletableFuture<Void> settled) {}

    /**
     * After a write that got no answer in time, made under the session's lock (its entry written
     * {@code lockAgeNanos} ago): writes whichever of the two copies the primary owner holds to every
     * member again, every second until it works. Only while that lock is surely still the
     * request's, with {@link #LOCK_MARGIN} to spare (the removal is unconditional), then it gives
     * up. Completes when settled or given up, on the repair's thread.
     */
    CompletableFuture<Void> settle(String key, InfinispanSessionData before, InfinispanSessionData attempted,
                                   long lifespanMs, long lockAgeNanos) {
        long left = maxWait.minus(LOCK_MARGIN).toNanos() - lockAgeNanos;
        if (cache.getAdvancedCache().getDistributionManager() == null || unsettled.size() >= MAX_PENDING || left <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        Unsettled u = new Unsettled(before, attempted, lifespanMs, System.nanoTime() + left, new CompletableFuture<>());
        Unsettled earlier = unsettled.putIfAbsent(key, u);
        if (earlier != null) {
            return earlier.settled().copy();
        }
        try {
            worker.schedule(() -> giveUp(key, u), left, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            unsettled.remove(key, u);
            u.settled().complete(null);
        }
        return u.settled().copy();
    }

    private void giveUp(String key, Unsettled u) {
        if (unsettled.remove(key, u)) {
            LOG.warn("gave up settling a session write that got no answer in time, before its lock's lease ends; "
                    + "its copies may differ until a refused write repairs them");
        }
        u.settled().complete(null);
    }

    /**
     * One pass over the unsettled keys. The first the cluster cannot take a write for yet (the peer
     * is still in the view) ends the pass, so a cut costs one timeout a second, not one per key.
     */
    private void settleAll() {
        for (Map.Entry<String, Unsettled> e : unsettled.entrySet()) {
            if (distrusted()) {
                return;
            }
            if (System.nanoTime() - e.getValue().deadlineNanos() >= 0) {
                giveUp(e.getKey(), e.getValue());
                continue;
            }
            try {
                String outcome = settleOne(e.getKey(), e.getValue());
                LOG.info("a session write that got no answer in time is settled: {}", outcome);
                if (unsettled.remove(e.getKey(), e.getValue())) {
                    e.getValue().settled().complete(null);
                }
            } catch (RuntimeException ex) {
                LOG.debug("could not settle session entry {} yet: {}", e.getKey(), ex.toString());
                return;
            }
        }
    }

    /**
     * Each a conditional write decided on the primary owner, which sends the copy it holds to every
     * member when it matches (the copy the cluster decided on wins, whichever it is). No
     * ConflictManager: a version request in flight when the topology changes makes
     * Infinispan 15.2 fail that cache's rebalance (UnsupportedOperationException in
     * VersionRequest.cancelRequestIfOutdated), and a frozen peer keeps it in flight for seconds.
     */
    private String settleOne(String key, Unsettled u) {
        long ms = u.lifespanMs();
        if (u.before() != null && cache.replace(key, u.before(), u.before(), ms, TimeUnit.MILLISECONDS)) {
            return "the copy before the write, on every member";
        }
        if (u.attempted() == null) {
            cache.remove(key); // a removal whose copy before is not kept (none, or not wanted): its lock is still held here
            return "removed from every member";
        }
        if (cache.replace(key, u.attempted(), u.attempted(), ms, TimeUnit.MILLISECONDS)) {
            return "the written copy, on every member";
        }
        if (u.before() == null && cache.putIfAbsent(key, u.attempted(), ms, TimeUnit.MILLISECONDS) == null) {
            return "the new session, stored on every member";
        }
        return "neither copy on the primary owner: it was changed or removed since";
    }

    /** Repairs {@code key} soon, once at a time per key; does nothing on a standalone node. */
    void schedule(String key) {
        if (cache.getAdvancedCache().getDistributionManager() == null || pending.size() >= MAX_PENDING
                || !pending.add(key)) {
            return;
        }
        try {
            worker.execute(() -> {
                try {
                    repair(key);
                } catch (RuntimeException e) {
                    LOG.warn("could not compare the copies of a session now ({}); the next refused write tries again", e.toString());
                } finally {
                    pending.remove(key);
                }
            });
        } catch (RejectedExecutionException stopping) {
            pending.remove(key);
        }
    }

    /** What the repair found: "in step" when this node holds the primary owner's copy. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    String repair(String key) {
        if (distrusted()) {
            return "not now";
        }
        AdvancedCache<Object, Object> raw = (AdvancedCache) cache.getAdvancedCache().withStorageMediaType();
        Object storedKey = cache.getAdvancedCache().getKeyDataConversion().toStorage(key);
        // Run on the primary owner, under its lock, and returned from there; it changes nothing.
        ReadWriteEntryView<Object, Object> decided = CompletionStages.join(ReadWriteMapImpl.create(FunctionalMapImpl.create(raw))
                .eval(storedKey, MarshallableFunctions.<Object, Object>returnReadWriteView()));
        Object mine = raw.withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD).get(storedKey);
        Object primarys = decided.find().orElse(null);
        if (Objects.equals(mine, primarys)) {
            return "in step";
        }
        if (distrusted()) {
            return "not now";
        }
        if (primarys == null) {
            // Gone on the primary (removed or expired there): drop this node's leftover copy.
            boolean removed = raw.withFlags(Flag.CACHE_MODE_LOCAL).remove(storedKey, mine);
            LOG.info("a session was gone on its primary owner but not here; {}", removed ? "removed the copy here" : "nothing to remove here");
            return removed ? "removed here" : "gone";
        }
        long lifespanMs = decided.findMetaParam(MetaParam.MetaLifespan.class).map(MetaParam.MetaLifespan::get).orElse(-1L);
        boolean rewritten = raw.replace(storedKey, primarys, primarys, lifespanMs, TimeUnit.MILLISECONDS);
        LOG.info("this node's copy of a session differed from the primary owner's; {}",
                rewritten ? "wrote the primary's copy to every member" : "a newer write came first");
        return rewritten ? "rewritten" : "superseded";
    }

    /**
     * A node just back from a pause, or whose view is changing, may take itself for the primary
     * owner with an old copy: it repairs nothing then (the merge, or a later refusal, does).
     */
    private boolean distrusted() {
        return fence.refusal().isPresent() || gate.refusal().isPresent();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
