package dev.tandem.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterReportTest {
    private static final long NOW = 1_000_000;

    private static NodeStatus status(String state, boolean ready, long updatedAt) {
        return new NodeStatus("n2", "http://127.0.0.12:8080", "v", 0, state, ready, ready ? null : "joining",
                List.of("n1", "n2"), 0, 1.5, 3.0, 0, updatedAt);
    }

    @Test
    void aFreshReadyNodeInTheViewIsUp() {
        assertThat(ClusterReport.judge(status("serving", true, NOW - 500), NOW, Set.of("n1", "n2"), true).status())
                .isEqualTo("up");
    }

    @Test
    void aNodeOutOfTheAnsweringNodesViewIsDownAtOnceWhateverItsLastRecordSaid() {
        ClusterReport.NodeView v = ClusterReport.judge(status("serving", true, NOW - 100), NOW, Set.of("n1"), true);
        assertThat(v.status()).isEqualTo("down");
        assertThat(v.why()).isEqualTo("not in the cluster view");
        assertThat(v.inView()).isFalse();
    }

    @Test
    void aNodeSilentForMoreThanThreeSecondsIsDown() {
        ClusterReport.NodeView v = ClusterReport.judge(status("serving", true, NOW - 5_000), NOW, Set.of("n1", "n2"), true);
        assertThat(v.status()).isEqualTo("down");
        assertThat(v.why()).isEqualTo("no report for 5 s");
    }

    @Test
    void aDrainedNodeIsStoppedRatherThanDownAndANotReadyOneSaysWhy() {
        ClusterReport.NodeView drained = ClusterReport.judge(status("serving", true, NOW).stopped(NOW), NOW,
                Set.of("n1", "n2"), true);
        assertThat(drained.status()).isEqualTo("stopped");
        assertThat(drained.why()).isEqualTo("stopped after draining");
        ClusterReport.NodeView v = ClusterReport.judge(status("serving", false, NOW), NOW, Set.of("n1", "n2"), true);
        assertThat(v.status()).isEqualTo("not-ready");
        assertThat(v.why()).isEqualTo("joining");
    }

    @Test
    void nodesSortByNumberNotByText() {
        assertThat(List.of("n10", "n2", "n1").stream().sorted(StatusBoard::byNodeName).toList())
                .containsExactly("n1", "n2", "n10");
    }
}
