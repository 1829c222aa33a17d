package dev.tandem.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A node that cannot reach its peers when it starts (CI: TLS handshakes too slow under load) forms
 * a cluster of one and comes in later by a merge. Its own state transfer, alone, was over at once,
 * so nothing but the merge's conflict resolution gives it the sessions: it must not report ready,
 * nor answer for a session, before that is done.
 */
class MergedJoinerIT {
    private static final int USERS = 8;
    private static final int WRITES = 2;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aNodeThatStartedCutOffIsReadyOnlyOnceTheMergeHasGivenItEverySession() throws Exception {
        NamespacedCluster.run(3, 2, "merged-joiner", MergedJoinerIT::scenario);
    }

    private static void scenario(NodeNamespaces lab, NamespacedCluster cluster, Path dir) {
        ClientProbe probe = new ClientProbe(lab);
        cluster.awaitOneView(probe, Duration.ofSeconds(60), "the first two nodes in one view");
        var first = cluster.nodes().get(0).uri();
        List<Path> users = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            Path cookies = dir.resolve("user-" + u + ".cookies");
            for (int w = 1; w <= WRITES; w++) {
                ClientProbe.Reply r = probe.post(first, "/api/session/counter", "{}", cookies);
                assertThat(r.status()).as("write %d of user %d: %s", w, u, r.body()).isEqualTo(200);
            }
            users.add(cookies);
        }

        lab.isolate(2);
        NamespacedNode late = cluster.start(2);
        Awaitility.await("the late node alone in a view of its own").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> probe.members(late.uri()).size() == 1);
        assertThat(probe.ready(late.uri())).as("alone, the late node is not ready").isFalse();

        long healed = System.nanoTime();
        lab.heal(2);
        // As soon as it says ready (polled as fast as a probe goes), every session must be there.
        Awaitility.await("the late node ready after the merge").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20)).until(() -> probe.ready(late.uri()));
        long readyMs = (System.nanoTime() - healed) / 1_000_000;
        List<String> wrong = new ArrayList<>();
        for (Path cookies : users) {
            ClientProbe.Reply r = probe.get(late.uri(), "/api/session", cookies);
            if (r.status() != 200 || r.json().path("new").asBoolean(true) || r.json().path("counter").asLong() != WRITES) {
                wrong.add(r.status() + " " + r.body());
            }
        }
        LoggerFactory.getLogger(MergedJoinerIT.class).info("late node ready {} ms after the heal; {} of {} sessions wrong",
                readyMs, wrong.size(), USERS);
        assertThat(wrong).as("sessions read through the late node the moment it said ready").isEmpty();
        cluster.awaitOneView(probe, Duration.ofSeconds(60), "three nodes in one view");
    }
}
