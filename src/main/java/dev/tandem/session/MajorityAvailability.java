package dev.tandem.session;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.partitionhandling.AvailabilityMode;
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
 * <p>Infinispan degrades a cache some time after the view change that caused it (a merge's topology
 * comes from the coordinator later), so the caller checks on every view change and every second.
 */
final class MajorityAvailability {
    private static final Logger LOG = LoggerFactory.getLogger(MajorityAvailability.class);

    private final EmbeddedCacheManager manager;
    private final List<String> caches;
    private final int configuredNodes;
    private final BooleanSupplier holdsState;
    private final GracefulLeaves leaves;

    /**
     * @param caches          the caches whose partition handling refuses in a minority
     * @param configuredNodes how many nodes the cluster is configured with
     * @param holdsState      whether this node has received the cluster's state (it then holds
     *                        every acknowledged write)
     * @param leaves          the members that left in order
     */
    MajorityAvailability(EmbeddedCacheManager manager, List<String> caches, int configuredNodes, BooleanSupplier holdsState,
            GracefulLeaves leaves) {
        this.manager = manager;
        this.caches = List.copyOf(caches);
        this.configuredNodes = configuredNodes;
        this.holdsState = holdsState;
        this.leaves = leaves;
    }

    /**
     * Ends degraded mode on each cache when {@code members} (node names) are a majority of the
     * configured nodes, or the members here are a majority once those that left in order are not
     * counted.
     */
    void restore(Set<String> members) {
        if (!holdsState.getAsBoolean()) {
            return;
        }
        Optional<String> majority = Majority.of(members.size(), configuredNodes)
                ? Optional.of(members.size() + " of " + configuredNodes + " configured nodes are members again " + members)
                : Optional.empty();
        for (String name : caches) {
            Cache<?, ?> c = manager.getCache(name);
            if (c.getStatus().allowInvocations() && c.getAdvancedCache().getAvailability() == AvailabilityMode.DEGRADED_MODE) {
                Optional<String> why = majority.or(() -> leaves.majorityWithoutLeavers(name));
                if (why.isEmpty()) {
                    continue;
                }
                LOG.warn("{}: {}; leaving degraded mode", name, why.get());
                try {
                    c.getAdvancedCache().setAvailability(AvailabilityMode.AVAILABLE);
                } catch (RuntimeException e) {
                    LOG.warn("{}: could not leave degraded mode yet: {}", name, e.toString());
                }
            }
        }
    }
}
