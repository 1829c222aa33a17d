package dev.tandem.session;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;

/**
 * Notices a settled cache topology that has left out members of the cluster view for a while: a
 * joiner is normally added within a second or two, by a rebalance the coordinator starts; a
 * topology still without it, and with no rebalance running, may not change on its own (see
 * {@link MajorityAvailability}). Each such topology is reported once.
 */
final class LeftOutMembers {
    private final EmbeddedCacheManager manager;
    private final long afterNanos;
    /** Per cache, the topology that left members out, and since when. */
    private final Map<String, Since> seen = new ConcurrentHashMap<>();

    private record Since(int topologyId, long nanos, boolean reported) {}

    /** @param after how long a topology may leave members out before it is reported */
    LeftOutMembers(EmbeddedCacheManager manager, Duration after) {
        this.manager = manager;
        this.afterNanos = after.toNanos();
    }

    /**
     * The view's members that {@code cache}'s settled topology has left out for at least the set
     * time; empty when none, when not for that long yet, or when this topology was reported before.
     */
    Optional<List<Address>> stillLeftOut(Cache<?, ?> cache) {
        CacheTopology t = CacheSettling.topology(cache);
        List<Address> missing = t == null || t.getPhase() != CacheTopology.Phase.NO_REBALANCE ? List.of()
                : manager.getMembers().stream().filter(m -> !t.getMembers().contains(m)).toList();
        if (missing.isEmpty()) {
            seen.remove(cache.getName());
            return Optional.empty();
        }
        long now = System.nanoTime();
        Since before = seen.get(cache.getName());
        Since since = before == null || before.topologyId() != t.getTopologyId() ? new Since(t.getTopologyId(), now, false) : before;
        boolean due = !since.reported() && now - since.nanos() >= afterNanos;
        seen.put(cache.getName(), due ? new Since(since.topologyId(), since.nanos(), true) : since);
        return due ? Optional.of(missing) : Optional.empty();
    }
}
