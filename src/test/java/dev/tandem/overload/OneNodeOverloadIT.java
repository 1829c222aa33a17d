package dev.tandem.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.TestHttp;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node reached directly, no HAProxy in front: it protects itself. An open-loop crowd at many
 * times what the node serves (the node on one core, the client on the other) gets answers within
 * the budget, served or refused with 503 + Retry-After, while the health checks keep answering.
 */
class OneNodeOverloadIT {
    private static final Logger LOG = LoggerFactory.getLogger(OneNodeOverloadIT.class);
    private static final Duration QUEUE = Duration.ofMillis(1000);
    /** Several times what the nodes on one core serve (about 70-330 OK/s cold), within what one client core drives. */
    private static final int RATE = 800;
    @TempDir
    Path dir;
    private NodeProcess node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aNodeAtManyTimesItsCapacityAnswersEveryoneWithinTheBudgetAndLosesNoAcknowledgedWrite() throws Exception {
        // A standalone node's requests are CPU only: four slots already fill its one core.
        node = NodeProcess.start("o1", dir, "--node", "o1", "--host", "127.0.0.1", "--port", "0",
                "--max-requests", "4", "--queue-ms", Long.toString(QUEUE.toMillis()));
        URI uri = node.awaitListening(Duration.ofSeconds(60));
        OverloadChecks.pinToFirstCore(node.pid());
        List<String> sessions = OverloadChecks.newSessions(uri, 100);

        ConcurrentLinkedQueue<String> healthFailures = new ConcurrentLinkedQueue<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        Thread prober = new Thread(() -> {
            while (loading.get()) {
                try {
                    int status = new TestHttp(uri).timeout(Duration.ofSeconds(2)).get("/health/ready").status();
                    if (status != 200) {
                        healthFailures.add("status " + status);
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    healthFailures.add(String.valueOf(e.getMessage()));
                }
            }
        }, "health-prober");
        prober.start();
        OpenLoop load = new OpenLoop(List.of(uri), sessions, Duration.ofSeconds(15), 5000);
        List<OpenLoop.Sample> samples;
        try {
            samples = load.run(RATE, Duration.ofSeconds(10));
        } finally {
            loading.set(false);
            prober.join(5000);
        }
        Figures f = Figures.of(samples, 10);
        LOG.info("one node, open loop: {}", f.line());

        assertThat(f.refused()).as("the load exceeded the node's capacity (else this test proves nothing): " + f.line())
                .isPositive();
        OverloadChecks.assertBudgetHeld(samples, QUEUE);
        assertThat(healthFailures).as("readiness checks during the load").isEmpty();
        // The history first: the recovery's increments are not in it.
        LOG.info("history: {}", OverloadChecks.assertNoAcknowledgedWriteLost(load.history(), sessions, uri).summary());
        OverloadChecks.assertRecovers(uri, sessions.get(0));
        String metrics = new TestHttp(uri).get("/metrics").body();
        assertThat(metrics).contains("tandem_overload_refused_total{").contains("reason=\"queue_full\"")
                .contains("reason=\"queue_timeout\"").contains("tandem_overload_limit{");
    }
}
