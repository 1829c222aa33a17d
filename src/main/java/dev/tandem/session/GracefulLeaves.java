package dev.tandem.session;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.jgroups.JGroupsAddress;
import org.infinispan.topology.CacheTopology;
import org.infinispan.topology.LocalTopologyManager;
import org.jgroups.util.UUID;

/**
 * Members that left the cluster in order, so the others do not count their leave as a crash.
 *
 * <p>Infinispan forgets a graceful leaver when the leaver was its coordinator: the next coordinator
 * rebuilds each cache from the members' last stable topology, which still lists the leaver while
 * the rebalance its leave started has not finished, and counts it as lost. In a two-node cluster
 * that is half the members, so draining the coordinator left the other node refusing every
 * session until the drained one came back (WarLabIT, once in CI).
 *
 * <p>So a leaving node says so, once it serves no more sessions and before its caches leave: a
 * synchronous put, applied on every member before it returns. Then the majority is counted among
 * the stable topology's members that did not leave in order (as Infinispan itself does when its
 * coordinator stays): a survivor holds every acknowledged write, and the leaver serves nothing.
 */
final class GracefulLeaves {
    static final String CACHE = "tandem-members";
    /** Long enough for any coordinator change that follows a leave; a record is a few bytes. */
    private static final Duration KEPT = Duration.ofHours(1);

    private final EmbeddedCacheManager manager;
    private final Cache<String, String> records;

    /** Starts the records' cache: a member that has not started it would miss the others' records. */
    GracefulLeaves(EmbeddedCacheManager manager) {
        this.manager = manager;
        this.records = manager.getCache(CACHE);
    }

    /** Records that this node (this run of it) leaves in order; throws when the cluster cannot take it. */
    void announce(String node) {
        records.put(id(manager.getAddress()), node, KEPT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Empty unless members left {@code cacheName}'s last stable topology in order and the members
     * here are a strict majority of the others; else why the cache may serve again.
     */
    Optional<String> majorityWithoutLeavers(String cacheName) {
        CacheTopology stable = GlobalComponentRegistry.componentOf(manager, LocalTopologyManager.class)
                .getStableCacheTopology(cacheName);
        List<Address> view = manager.getMembers();
        if (stable == null || view == null) {
            return Optional.empty();
        }
        Cache<String, String> here = records.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD);
        List<Address> leavers = stable.getMembers().stream().filter(m -> here.containsKey(id(m))).toList();
        List<Address> counted = stable.getMembers().stream().filter(m -> !leavers.contains(m)).toList();
        long present = counted.stream().filter(view::contains).count();
        if (leavers.isEmpty() || !Majority.of((int) present, counted.size())) {
            return Optional.empty();
        }
        return Optional.of(leavers + " left in order and " + present + " of the other " + counted.size()
                + " members of the last stable topology " + stable.getMembers() + " are here");
    }

    /** One run of a node: a restarted node has the same name but a new JGroups UUID. */
    private static String id(Address member) {
        return member instanceof JGroupsAddress a && a.getJGroupsAddress() instanceof UUID u
                ? member + "/" + u.toStringLong() : member.toString();
    }
}
