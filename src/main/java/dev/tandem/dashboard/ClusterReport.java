package dev.tandem.dashboard;

import java.util.List;
import java.util.Set;

/**
 * What {@code GET /lab/api/cluster} answers: the board as the answering node sees it, each node's
 * record with a verdict the page can show as is.
 *
 * @param servedBy the node that answered (also in X-Tandem-Node)
 * @param now the answering node's clock, epoch milliseconds (ages are measured on it)
 * @param view the answering node's cluster view
 * @param note why the board is empty, or null
 */
public record ClusterReport(String servedBy, long now, List<String> view, List<NodeView> nodes,
                            List<LabEvent> events, String note) {
    /** A node's record is older than this: the node is taken as gone (it publishes every second). */
    static final long STALE_MILLIS = 3_000;

    /**
     * One node: its own last record plus the verdict.
     *
     * @param status up (ready), not-ready, stopped (said so after a drain), or down (out of the view, or silent)
     * @param why the reason in words, null when up
     * @param ageMillis how old the record is on the answering node's clock
     */
    public record NodeView(NodeStatus report, String status, String why, long ageMillis, boolean inView) {}

    static NodeView judge(NodeStatus s, long now, Set<String> view, boolean clustered) {
        long age = Math.max(0, now - s.updatedAt());
        boolean inView = !clustered || view.contains(s.name());
        if ("stopped".equals(s.state())) {
            return new NodeView(s, "stopped", "stopped after draining", age, inView);
        }
        if (!inView) {
            return new NodeView(s, "down", "not in the cluster view", age, false);
        }
        if (age > STALE_MILLIS) {
            return new NodeView(s, "down", "no report for " + age / 1000 + " s", age, true);
        }
        if (!s.ready()) {
            return new NodeView(s, "not-ready", s.reason() == null ? s.state() : s.reason(), age, true);
        }
        return new NodeView(s, "up", null, age, true);
    }
}
