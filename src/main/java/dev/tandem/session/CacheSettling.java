package dev.tandem.session;

import java.util.List;
import java.util.Optional;
import org.infinispan.Cache;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;

/**
 * Whether this node's caches have settled: no rebalance and no conflict resolution running, as
 * this node's latest cache topologies say.
 *
 * <p>Two moments need it. A node that started alone (its peers' TLS handshakes too slow under
 * load, see GMS join_timeout in tandem-infinispan.xml) and merged into the cluster later holds
 * none of the sessions until the merge's conflict resolution has copied them in, although its
 * own state transfer, as a cluster of one, finished at once; it is not ready before that. And a
 * node leaving while a rebalance or a conflict resolution runs makes it fail (Infinispan logs
 * "ISPN100014: Failed conflict resolution") and leaves the caches where the next joiner's state
 * transfer never starts: CI's rolling restart, whose last node hung in its start for 4 minutes.
 */
final class CacheSettling {
    private final EmbeddedCacheManager manager;

    CacheSettling(EmbeddedCacheManager manager) {
        this.manager = manager;
    }

    /** The first of this node's running clustered caches that is not settled, with its phase; empty when all are. */
    Optional<String> unsettled() {
        for (String name : manager.getCacheNames()) {
            if (manager.isRunning(name)) {
                Optional<CacheTopology.Phase> phase = moving(manager.getCache(name));
                if (phase.isPresent()) {
                    return Optional.of(name + " " + phase.get());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code cache} has settled with this node and a strict majority of the configured
     * nodes as members (a cluster of one that has not merged yet has settled too, alone).
     */
    boolean settledWithMajority(Cache<?, ?> cache, int configuredNodes) {
        CacheTopology t = topology(cache);
        if (t == null) {
            return true; // a local cache
        }
        List<Address> members = t.getMembers();
        return t.getPhase() == CacheTopology.Phase.NO_REBALANCE
                && members.contains(manager.getAddress())
                && Majority.of(members.size(), configuredNodes);
    }

    /** The cache's phase when a rebalance or a conflict resolution runs in it; empty when settled or local. */
    static Optional<CacheTopology.Phase> moving(Cache<?, ?> cache) {
        CacheTopology t = topology(cache);
        return t == null || t.getPhase() == CacheTopology.Phase.NO_REBALANCE ? Optional.empty() : Optional.of(t.getPhase());
    }

    /** The cache's latest topology as this node knows it; null for a local cache. */
    static CacheTopology topology(Cache<?, ?> cache) {
        DistributionManager dm = cache.getAdvancedCache().getDistributionManager();
        return dm == null ? null : dm.getCacheTopology();
    }
}
