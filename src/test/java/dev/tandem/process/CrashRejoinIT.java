package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.history.History;
import dev.tandem.testing.history.HistoryChecker;
import dev.tandem.testing.history.SessionWorkload;
import dev.tandem.testing.history.SessionWorkload.Mix;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 one node and start it again at once while clients work through all three. */
class CrashRejoinIT {

    @Test
    void aNodeKilledAndRestartedAtOnceUnderLoadLosesNothingAndServesNothingStale(@TempDir Path logs) throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(3, logs)) {
            NodeProcess victim = cluster.nodes.get(2);
            SessionWorkload w = new SessionWorkload(6, 3, i -> FailureChainIT.rotate(cluster.uris(), i),
                    i -> Mix.INCREMENTS_AND_READS, 100_000, Duration.ofSeconds(120)).requestTimeout(Duration.ofSeconds(5));
            CompletableFuture<History> load = w.start();
            Awaitility.await("load under way").atMost(Duration.ofSeconds(30)).until(() -> w.acknowledged() > 200 || load.isDone());

            long killedAt = System.nanoTime();
            victim.kill9();
            victim.restart();
            victim.awaitListening(Duration.ofSeconds(90));
            ProcessCluster.awaitReady(3, cluster.nodes);
            long readyMs = (System.nanoTime() - killedAt) / 1_000_000;
            FailureChainIT.awaitProgress(w, 300);
            w.stop();
            History history = load.get(2, TimeUnit.MINUTES);

            HistoryChecker.Report report = HistoryChecker.check(history, w.finalStates(cluster.uris(), Duration.ofSeconds(30)));
            System.out.printf("[crash and rejoin] %s; restarted node ready %d ms after the kill%n", report.summary(), readyMs);
            assertThat(report.problems()).as("history problems").isEmpty();
            assertThat(report.acknowledged()).as("acknowledged operations").isGreaterThan(500);
        }
    }
}
