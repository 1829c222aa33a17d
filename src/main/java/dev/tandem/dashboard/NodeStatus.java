package dev.tandem.dashboard;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What one node says about itself on the status board, once a second. Times are epoch milliseconds
 * on the publishing node's clock.
 *
 * @param state the node's lifecycle (starting, serving, draining, stopped)
 * @param ready what /health/ready answers (the balancer's view of "send me traffic")
 * @param reason why not ready, or null
 * @param sessions sessions held in the node's replicated session cache, -1 when unknown
 * @param p99Millis the 99th percentile of the node's requests of the last 10 s, to the resolution of
 *                  its request timers' histogram buckets; 0 without recent requests
 * @param refusedPerSecond requests the node refused at its own request limit (503, every reason of
 *                         tandem_overload_refused_total) per second since its previous record
 */
// A record from a newer node (a field this one does not know) is still shown during a rolling deploy.
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeStatus(String name, String address, String version, long startedAt, String state, boolean ready,
                         String reason, List<String> members, long sessions, double requestsPerSecond,
                         double p99Millis, double refusedPerSecond, long updatedAt) {

    /** The same record as "stopped": the node's last word before it leaves the cluster. */
    public NodeStatus stopped(long at) {
        return new NodeStatus(name, address, version, startedAt, "stopped", false, "stopped after a drain", members,
                sessions, 0, p99Millis, 0, at);
    }
}
