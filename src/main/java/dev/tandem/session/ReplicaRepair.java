package dev.tandem.session;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.conflict.ConflictManager;
import org.infinispan.conflict.ConflictManagerFactory;
import org.infinispan.container.entries.InternalCacheValue;
import org.infinispan.context.Flag;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.remoting.transport.Address;
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
 * <p>So a refused write schedules a repair of its key, off the request thread: every member's copy
 * is fetched (Infinispan's ConflictManager) and, if they differ, the primary owner's copy is written
 * again to all members ({@code replace(key, primary's, primary's)}, decided on the primary owner: a
 * write that came in meanwhile wins and the repair changes nothing). The primary's copy is the one
 * the cluster decided on, and an acknowledged write is on every member, so the copy dropped is only
 * ever a write nobody was told succeeded. The refused request still answers 503; its retry works.
 * A node that does not trust its view (back from a pause, view changing, degraded) repairs nothing.
 */
final class ReplicaRepair implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaRepair.class);
    /** More keys than this waiting for repair means something else is wrong: the rest are dropped. */
    private static final int MAX_PENDING = 1000;

    private final Cache<String, InfinispanSessionData> cache;
    private final PauseFence fence;
    private final ViewGate gate;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tandem-replica-repair");
        t.setDaemon(true);
        return t;
    });

    ReplicaRepair(Cache<String, InfinispanSessionData> cache, PauseFence fence, ViewGate gate) {
        this.cache = cache;
        this.fence = fence;
        this.gate = gate;
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

    /** What the repair found: "in step" when every member holds the same copy. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    String repair(String key) {
        if (distrusted()) {
            return "not now";
        }
        AdvancedCache<Object, Object> raw = (AdvancedCache) cache.getAdvancedCache().withStorageMediaType();
        Object storedKey = cache.getAdvancedCache().getKeyDataConversion().toStorage(key);
        ConflictManager<Object, Object> conflicts = ConflictManagerFactory.get(raw);
        Map<Address, InternalCacheValue<Object>> copies = conflicts.getAllVersions(storedKey);
        Set<Object> distinct = new HashSet<>();
        copies.values().forEach(v -> distinct.add(v == null ? null : v.getValue()));
        if (distinct.size() <= 1) {
            return "in step";
        }
        if (distrusted()) {
            return "not now";
        }
        DistributionManager distribution = raw.getDistributionManager();
        Address primary = distribution.getCacheTopology().getDistribution(storedKey).primary();
        InternalCacheValue<Object> decided = copies.get(primary);
        if (decided == null) {
            // Gone on the primary (removed or expired there): drop this node's leftover copy.
            Object mine = raw.withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD).get(storedKey);
            boolean removed = mine != null && raw.withFlags(Flag.CACHE_MODE_LOCAL).remove(storedKey, mine);
            LOG.info("a session was gone on its primary owner {} but not on {}; {}", primary, differing(copies, null),
                    removed ? "removed the copy here" : "nothing to remove here");
            return removed ? "removed here" : "gone";
        }
        boolean rewritten = raw.replace(storedKey, decided.getValue(), decided.getValue(), decided.getMetadata());
        LOG.info("the copies of a session disagreed ({} differed from the primary owner {}); {}",
                differing(copies, decided.getValue()), primary,
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

    private static Set<Address> differing(Map<Address, InternalCacheValue<Object>> copies, Object decided) {
        Set<Address> out = new HashSet<>();
        copies.forEach((member, v) -> {
            if (!Objects.equals(v == null ? null : v.getValue(), decided)) {
                out.add(member);
            }
        });
        return out;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
