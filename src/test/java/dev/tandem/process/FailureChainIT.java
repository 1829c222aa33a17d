package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.TestHttp;
import dev.tandem.testing.history.History;
import dev.tandem.testing.history.HistoryChecker;
import dev.tandem.testing.history.Op;
import dev.tandem.testing.history.SessionWorkload;
import dev.tandem.testing.history.SessionWorkload.Mix;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures in a row while clients write: kill -9 A, then B once the survivors settled. The last
 * node refuses (503) rather than serving fresh sessions, and once A and B are back nothing
 * acknowledged is missing.
 */
class FailureChainIT {

    @Test
    void killingTwoNodesInARowLosesNothingAndTheLastNodeNeverHandsOutAFreshSession(@TempDir Path logs) throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(3, logs)) {
            NodeProcess a = cluster.nodes.get(0), b = cluster.nodes.get(1), c = cluster.nodes.get(2);
            List<URI> all = cluster.uris();
            // Five clients on three sessions: client 2, alone on its session, also logs in (a new id each time).
            SessionWorkload w = new SessionWorkload(5, 3, i -> rotate(all, i),
                    i -> i == 2 ? Mix.LOGINS_INCREMENTS_AND_READS : Mix.INCREMENTS_AND_READS, 100_000, Duration.ofSeconds(150))
                    .requestTimeout(Duration.ofSeconds(5));
            CompletableFuture<History> load = w.start();
            Awaitility.await("load under way").atMost(Duration.ofSeconds(30)).until(() -> w.acknowledged() > 200 || load.isDone());

            a.kill9();
            ProcessCluster.awaitReady(2, List.of(b, c));
            awaitProgress(w, 200);
            b.kill9();
            // Alone, C is a minority of the last stable view {B, C}: it must refuse, not serve.
            TestHttp probe = new TestHttp(c.uri());
            Awaitility.await("C refuses sessions").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> probe.get("/health/ready").status() == 503);
            long whileAlone = w.completed();
            Awaitility.await("clients tried C while alone").atMost(Duration.ofSeconds(30)).until(() -> w.completed() > whileAlone + 50);

            a.restart();
            b.restart();
            a.awaitListening(Duration.ofSeconds(90));
            b.awaitListening(Duration.ofSeconds(90));
            ProcessCluster.awaitReady(3, cluster.nodes);
            awaitProgress(w, 300);
            w.stop();
            History history = load.get(2, TimeUnit.MINUTES);

            HistoryChecker.Report report = HistoryChecker.check(history, w.finalStates(cluster.uris(), Duration.ofSeconds(30)));
            System.out.printf("[failure chain] %s; logins ok=%d unknown=%d%n", report.summary(),
                    history.count(Op.Kind.LOGIN, Op.Outcome.OK), history.count(Op.Kind.LOGIN, Op.Outcome.UNKNOWN));
            assertThat(report.problems()).as("history problems").isEmpty();
            assertThat(report.acknowledged()).as("acknowledged operations").isGreaterThan(500);
        }
    }

    /**
     * Waits until the cluster has served {@code more} operations OK: after a fault heals, the run
     * goes on until it has done real work again (answers that are all 503 do not count).
     */
    static void awaitProgress(SessionWorkload w, int more) {
        long start = w.acknowledged();
        Awaitility.await(more + " more acknowledged operations").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100)).until(() -> w.acknowledged() >= start + more);
    }

    static List<URI> rotate(List<URI> all, int client) {
        int n = all.size();
        return List.of(all.get(client % n), all.get((client + 1) % n), all.get((client + 2) % n));
    }
}
