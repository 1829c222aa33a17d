package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.history.History;
import dev.tandem.testing.history.HistoryChecker;
import dev.tandem.testing.history.Op;
import dev.tandem.testing.history.SessionWorkload;
import dev.tandem.testing.history.SessionWorkload.Mix;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node frozen (SIGSTOP) for 20 s under concurrent load, then resumed: its late writes never land.
 * One client logs in throughout, so its session changes id across the freeze.
 */
class FreezeIT {

    @Test
    void aNodeFrozenForTwentySecondsLosesNothingAndServesNothingStaleWhenItWakes(@TempDir Path logs) throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(3, logs)) {
            NodeProcess frozen = cluster.nodes.get(1);
            // Seven clients on four sessions: client 3, alone on its session, also logs in (a new id each time).
            SessionWorkload w = new SessionWorkload(7, 4, i -> FailureChainIT.rotate(cluster.uris(), i),
                    i -> i == 3 ? Mix.LOGINS_INCREMENTS_AND_READS : Mix.INCREMENTS_AND_READS, 100_000, Duration.ofSeconds(120))
                    .requestTimeout(Duration.ofSeconds(5));
            CompletableFuture<History> load = w.start();
            Awaitility.await("load under way").atMost(Duration.ofSeconds(30)).until(() -> w.acknowledged() > 200 || load.isDone());

            signal("STOP", frozen.pid());
            long frozenAt = System.nanoTime();
            long settled;
            try {
                ProcessCluster.awaitReady(2, java.util.List.of(cluster.nodes.get(0), cluster.nodes.get(2)));
                settled = (System.nanoTime() - frozenAt) / 1_000_000;
                Awaitility.await("20 s frozen").atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(200))
                        .until(() -> System.nanoTime() - frozenAt >= Duration.ofSeconds(20).toNanos());
            } finally {
                signal("CONT", frozen.pid());
            }
            ProcessCluster.awaitReady(3, cluster.nodes);
            FailureChainIT.awaitProgress(w, 300);
            w.stop();
            History history = load.get(2, TimeUnit.MINUTES);

            HistoryChecker.Report report = HistoryChecker.check(history, w.finalStates(cluster.uris(), Duration.ofSeconds(30)));
            System.out.printf("[freeze 20 s] %s; survivors settled %d ms after SIGSTOP; logins ok=%d unknown=%d%n", report.summary(),
                    settled, history.count(Op.Kind.LOGIN, Op.Outcome.OK), history.count(Op.Kind.LOGIN, Op.Outcome.UNKNOWN));
            assertThat(report.problems()).as("history problems").isEmpty();
            assertThat(report.acknowledged()).as("acknowledged operations").isGreaterThan(500);
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("kill -" + sig + " " + pid + " failed");
        }
    }
}
