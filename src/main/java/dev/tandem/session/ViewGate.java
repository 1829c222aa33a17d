package dev.tandem.session;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;

/**
 * Closes the gap between a new cluster view and Infinispan's reaction to it. When members vanish
 * (crash, cut-off), JGroups installs the smaller view first; the cache keeps its old topology for
 * some milliseconds more, and in that window a node cut off from the majority is the sole owner of
 * every key: it could take a session's lock and write over a stale copy. PartitionIT caught it (an
 * increment acknowledged on the cut-off node, 75 ms before Infinispan put it in degraded mode).
 * So session work is refused while the cache's members include any node missing from the view,
 * until Infinispan has settled the new topology (majority) or entered degraded mode (minority,
 * which refuses on its own). A graceful leave leaves the cache topology before the view, so it is
 * never refused here.
 *
 * <p>It also keeps a starting node out until it has been in one view with a strict majority of the
 * configured nodes. A node that cannot reach its peers in time (a cold JVM's slow TLS handshakes
 * were enough) forms a cluster of one: Infinispan calls that cache available, but it holds no
 * session, and serving from it would hand out empty sessions and take writes the merge then
 * drops. Once it has been with a majority, Infinispan's partition handling takes over (a peer's
 * graceful leave keeps it available; a crash that leaves it in a minority degrades it).
 */
final class ViewGate {
    private final EmbeddedCacheManager manager;
    private final Cache<?, ?> cache;
    private final int configuredNodes;
    private volatile boolean joinedMajority;

    /** @param configuredNodes how many nodes the cluster is configured with (0 when standalone) */
    ViewGate(EmbeddedCacheManager manager, Cache<?, ?> cache, int configuredNodes) {
        this.manager = manager;
        this.cache = cache;
        this.configuredNodes = configuredNodes;
    }

    /** Empty once this node has been in a view with a strict majority of the configured nodes. */
    Optional<String> joinRefusal() {
        if (joinedMajority || configuredNodes == 0) {
            return Optional.empty();
        }
        List<Address> view = manager.getMembers();
        int seen = view == null ? 0 : view.size();
        if (Majority.of(seen, configuredNodes)) {
            joinedMajority = true;
            return Optional.empty();
        }
        return Optional.of("joining: this node sees " + seen + " of the " + configuredNodes
                + " configured nodes and serves sessions once it is with a majority of them");
    }

    /**
     * Waits up to {@code max} for the cache to settle (its members all in the view, the cache not
     * degraded); empty when it did, else why not. Infinispan settles a crash in milliseconds, so a
     * request in the majority waits that long instead of failing.
     */
    Optional<String> awaitSettled(Duration max) {
        return Polling.untilEmpty(this::refusal, max, Duration.ofMillis(10));
    }

    /** Empty when the cache's members are all in the current view; otherwise who is missing. */
    Optional<String> refusal() {
        Optional<String> joining = joinRefusal();
        if (joining.isPresent()) {
            return joining;
        }
        if (!MajorityAvailability.available(cache)) {
            return Optional.of("this node is in a minority partition (degraded)");
        }
        CacheTopology topology = CacheSettling.topology(cache);
        List<Address> view = manager.getMembers();
        if (topology == null || view == null) {
            return Optional.empty(); // a local cache (or none yet): no view to disagree with
        }
        List<Address> missing = topology.getMembers().stream().filter(m -> !view.contains(m)).toList();
        return missing.isEmpty() ? Optional.empty()
                : Optional.of("the cluster view is changing (" + missing + " left; the cluster has not settled)");
    }
}
