package dev.tandem.cluster;

import java.util.List;

/** What the API and health checks need to know about the cluster, whatever runs it. */
public interface ClusterView {

    /** Node names of the current members, this node included. */
    List<String> members();

    /** Empty when this node can serve sessions; otherwise why not (joining, degraded, stopped). */
    java.util.Optional<String> notReadyReason();

    boolean clustered();
}
