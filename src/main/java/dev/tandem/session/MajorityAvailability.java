package dev.tandem.session;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.infinispan.Cache;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.infinispan.topology.CacheTopology;
import org.infinispan.topology.ClusterTopologyManager;
import org.jgroups.MergeView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends degraded mode once this node sees a strict majority of the configured nodes again.
 *
 * <p>Infinispan counts a majority of the last stable topology, whose members never return after a
 * crash (a restarted node joins as a new member), so a failure chain would leave the cluster
 * refusing forever. Counting node names instead is safe here: a node that is degraded had joined
 * before, so it holds every acknowledged write (replicated to all), and a node name is one host and
 * port, so while this side holds a majority of the names no other side can.
 *
 * <p>It also ends degraded mode that only a graceful leave caused (see {@link GracefulLeaves}).
 *
 * <p>And a node that starts in a minority (alone: its peers unreachable, or too slow to answer its
 * join) starts its caches degraded. Infinispan takes any available partition's topology over a
 * degraded one at a merge, so its available, empty caches would have replaced the sessions of a
 * survivor still degraded after a crash (MergedJoinerIT). Degraded, it meets the survivor as a
 * minority too; the survivor's topology (the newer one) is kept, and degraded mode ends on it, with
 * the survivor's sessions, once the two are a majority.
 *
 * <p>Only the coordinator ends degraded mode: the switch is applied to the coordinator's own record
 * of the cache, and right after a merge that record is still its old partition's until Infinispan
 * has merged the partitions. A survivor's request reaching a late node that led the merge in that
 * moment made the late node's empty partition available, and it won the merge (CI, 4 of 12
 * sessions lost). A coordinator that started in a minority and has not settled in since waits, in
 * a view that came from a merge, until its caches follow a topology that lists another member:
 * until then its record is its own partition's.
 *
 * <p>Infinispan degrades a cache some time after the view change that caused it (a merge's topology
 * comes from the coordinator later), so the caller checks on every view change and every second.
 *
 * <p>A switch asked for while the coordinator recovers the cluster's state after a merge acts on the
 * record the recovery then replaces: the survivor's switch, made the moment the merged view came,
 * reached its caches (their topology said available) while the recovery, from the cache states it
 * had collected before, put the coordinator's record back in degraded mode. Each side then believed
 * the other, the late node was never added, and it never became ready (MergedJoinerIT, CI and here
 * under load, 1 run in 5-6). So no switch is asked for while the coordinator recovers, and a cache
 * that says available here but whose settled topology has left out a member of the view for
 * {@link #LEFT_OUT_FOR} is switched again: the coordinator ignores a switch to the mode its record
 * already has.
 */
final class MajorityAvailability {
    private static final Logger LOG = LoggerFactory.getLogger(MajorityAvailability.class);
    /** A joiner is in the topology a second or two after it is in the view, also under load; stuck is forever. */
    private static final Duration LEFT_OUT_FOR = Duration.ofSeconds(5);

    private final EmbeddedCacheManager manager;
    private final List<String> caches;
    private final int configuredNodes;
    private final BooleanSupplier holdsState;
    private final BooleanSupplier settledIn;
    private final GracefulLeaves leaves;
    private final LeftOutMembers leftOut;
    /** Set when this node started in a minority: its own copy may lack what a survivor holds. */
    private volatile boolean startedInMinority;

    /**
     * @param caches          the caches whose partition handling refuses in a minority
     * @param configuredNodes how many nodes the cluster is configured with
     * @param holdsState      whether this node has received the cluster's state (it then holds
     *                        every acknowledged write)
     * @param settledIn       whether this node's caches have once settled with a majority as members
     * @param leaves          the members that left in order
     */
    MajorityAvailability(EmbeddedCacheManager manager, List<String> caches, int configuredNodes, BooleanSupplier holdsState,
            BooleanSupplier settledIn, GracefulLeaves leaves) {
        this.manager = manager;
        this.caches = List.copyOf(caches);
        this.configuredNodes = configuredNodes;
        this.holdsState = holdsState;
        this.settledIn = settledIn;
        this.leaves = leaves;
        this.leftOut = new LeftOutMembers(manager, LEFT_OUT_FOR);
    }

    /** Puts each available cache in degraded mode when {@code members} (node names) are not a majority of the configured nodes. */
    void degradeInMinority(Set<String> members) {
        if (Majority.of(members.size(), configuredNodes)) {
            return;
        }
        startedInMinority = true;
        for (String name : runningIn(AvailabilityMode.AVAILABLE)) {
            LOG.info("{}: started with {} of {} configured nodes {}; degraded until a majority is here", name,
                    members.size(), configuredNodes, members);
            switchTo(name, AvailabilityMode.DEGRADED_MODE);
        }
    }

    /**
     * Ends degraded mode on each cache when {@code members} (node names) are a majority of the
     * configured nodes, or the members here are a majority once those that left in order are not
     * counted.
     */
    void restore(Set<String> members) {
        if (!manager.isCoordinator() || recoveringAfterMerge() || !holdsState.getAsBoolean() || mayHoldLessThanTheOthers()) {
            return;
        }
        Optional<String> majority = Majority.of(members.size(), configuredNodes)
                ? Optional.of(members.size() + " of " + configuredNodes + " configured nodes are members again " + members)
                : Optional.empty();
        for (String name : runningIn(AvailabilityMode.DEGRADED_MODE)) {
            Optional<String> why = majority.or(() -> leaves.majorityWithoutLeavers(name));
            if (why.isPresent()) {
                LOG.warn("{}: {}; leaving degraded mode", name, why.get());
                switchTo(name, AvailabilityMode.AVAILABLE);
            }
        }
        if (majority.isPresent()) {
            for (String name : runningIn(AvailabilityMode.AVAILABLE)) {
                leftOut.stillLeftOut(manager.getCache(name)).ifPresent(missing -> {
                    LOG.warn("{}: available here, but its topology has left out {} of the view for {} s; "
                            + "asking the coordinator's record for available again", name, missing, LEFT_OUT_FOR.toSeconds());
                    switchTo(name, AvailabilityMode.AVAILABLE);
                });
            }
        }
    }

    /** Whether this node, the coordinator, is recovering the cluster's cache states after a merge. */
    private boolean recoveringAfterMerge() {
        ClusterTopologyManager ctm = GlobalComponentRegistry.componentOf(manager, ClusterTopologyManager.class);
        return ctm != null && ctm.getStatus() == ClusterTopologyManager.ClusterManagerStatus.RECOVERING_CLUSTER;
    }

    /** Whether {@code cache} takes reads and writes here: not degraded, as a minority partition's is. */
    static boolean available(Cache<?, ?> cache) {
        return cache.getAdvancedCache().getAvailability() == AvailabilityMode.AVAILABLE;
    }

    /** The caches that run here and are in {@code mode} now. */
    private List<String> runningIn(AvailabilityMode mode) {
        return caches.stream().filter(name -> {
            Cache<?, ?> c = manager.getCache(name);
            return c.getStatus().allowInvocations() && c.getAdvancedCache().getAvailability() == mode;
        }).toList();
    }

    /** Asks the coordinator to put {@code name} in {@code mode}; a refusal is logged, not thrown. */
    private void switchTo(String name, AvailabilityMode mode) {
        try {
            manager.getCache(name).getAdvancedCache().setAvailability(mode);
        } catch (RuntimeException e) {
            LOG.warn("{}: could not switch to {} yet: {}", name, mode, e.toString());
        }
    }

    /**
     * A node that started in a minority and has not settled in with a majority since holds what it
     * had alone, maybe nothing. In a view that came from a merge the other side may hold sessions it
     * lacks, and until Infinispan has merged the partitions (its caches then follow a topology that
     * lists another member) its own partition is all this node's switch would act on. (In a view it
     * was joined in, its caches are the cluster's: the first node of a new cluster.)
     */
    private boolean mayHoldLessThanTheOthers() {
        return startedInMinority && !settledIn.getAsBoolean()
                && GlobalComponentRegistry.componentOf(manager, Transport.class) instanceof JGroupsTransport t
                && t.getChannel().getView() instanceof MergeView
                && !caches.stream().allMatch(this::followsAnotherMember);
    }

    /** Whether {@code name}'s current topology lists a member other than this node. */
    private boolean followsAnotherMember(String name) {
        CacheTopology t = CacheSettling.topology(manager.getCache(name));
        return t != null && t.getMembers().stream().anyMatch(m -> !m.equals(manager.getAddress()));
    }
}
