package dev.tandem.dashboard;

import java.util.List;

/**
 * What one node says about itself on the status board, once a second. Times are epoch milliseconds
 * on the publishing node's clock.
 *
 * @param state the node's lifecycle (starting, serving, draining, stopped)
 * @param ready what /health/ready answers (the balancer's view of "send me traffic")
 * @param reason why not ready, or null
 * @param sessions sessions held in the node's replicated session cache, -1 when unknown
 * @param p99Millis the worst 99th percentile among the node's request timers (by method and status),
 *                  over Micrometer's sliding window; 0 without recent requests
 */
public record NodeStatus(String name, String address, String version, long startedAt, String state, boolean ready,
                         String reason, List<String> members, long sessions, double requestsPerSecond,
                         double p99Millis, long updatedAt) {

    /** The same record as "stopped": the node's last word before it leaves the cluster. */
    public NodeStatus stopped(long at) {
        return new NodeStatus(name, address, version, startedAt, "stopped", false, "stopped after a drain", members,
                sessions, 0, p99Millis, at);
    }
}
