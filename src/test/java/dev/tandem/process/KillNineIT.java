package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.load.LoadDriver;
import dev.tandem.testing.load.LoadResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three node processes; one is killed with SIGKILL while clients write; no acknowledged write is lost. */
class KillNineIT {

    @Test
    void killingOneNodeMidRunLosesNoAcknowledgedIncrement(@TempDir Path logs) throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(3, logs)) {
            LoadDriver driver = new LoadDriver(cluster.uris(), 8, 150, Duration.ofSeconds(60), Duration.ofMillis(5));
            CompletableFuture<LoadResult> load = CompletableFuture.supplyAsync(driver::run);

            NodeProcess victim = cluster.nodes.get(1);
            Awaitility.await("load under way").atMost(Duration.ofSeconds(30))
                    .until(() -> driver.progress().writesOk() >= 150 || load.isDone());
            long killedAt = System.nanoTime();
            victim.kill9();
            List<NodeProcess> survivors = List.of(cluster.nodes.get(0), cluster.nodes.get(2));
            ProcessCluster.awaitReady(2, survivors);
            long viewMs = (System.nanoTime() - killedAt) / 1_000_000;

            LoadResult result = load.get(3, java.util.concurrent.TimeUnit.MINUTES);
            System.out.printf("[kill -9] %s; survivors saw the new view %d ms after the kill; %s%n", result.summary(),
                    viewMs, result.writeFailures(Path.of("target", "test-logs", "kill-nine-failed-requests.txt")));

            assertThat(result.writesOk()).as("the run did real work").isGreaterThan(100);
            assertThat(result.violations()).as("violations").isEmpty();
            assertThat(result.lostWrites()).as("acknowledged increments lost" + result.anomalies()).isZero();
            assertThat(result.appliedTwice()).as("users whose counter exceeds what they sent").isZero();
            for (LoadResult.UserOutcome u : result.users()) {
                assertThat(u.finalValue()).as("user " + u.user()).isBetween(u.acknowledged(), u.attempted());
            }
        }
    }
}
