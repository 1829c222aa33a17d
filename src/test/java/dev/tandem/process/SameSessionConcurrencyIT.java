package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.history.History;
import dev.tandem.testing.history.HistoryChecker;
import dev.tandem.testing.history.SessionWorkload;
import dev.tandem.testing.history.SessionWorkload.Mix;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many clients on one session, on one node or spread over three: the session behaves like one object. */
class SameSessionConcurrencyIT {
    /** The nodes' logs and credentials; JUnit removes it after the class, as the other process tests' own. */
    @TempDir
    static Path logs;

    private static ProcessCluster cluster;
    private static List<URI> nodes;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new ProcessCluster(3, logs);
        nodes = cluster.uris();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void fourClientsIncrementingOneSessionThroughThreeNodesLoseNothing() throws Exception {
        SessionWorkload w = new SessionWorkload(4, 1, c -> rotated(c), c -> Mix.INCREMENTS_AND_READS, 250, Duration.ofSeconds(90));
        check("4 clients, 1 session, 3 nodes", w, w.run(), 1_000);
    }

    @Test
    void fourClientsOnOneSessionOnOneNodeLoseNoIncrementAndNoAttribute() throws Exception {
        SessionWorkload w = new SessionWorkload(4, 1, c -> List.of(nodes.get(0)), c -> Mix.ATTRIBUTES_AND_INCREMENTS, 250, Duration.ofSeconds(90));
        check("4 clients, 1 session, 1 node, attributes", w, w.run(), 1_000);
    }

    @Test
    void concurrentAttributeWritesThroughEveryNodeAllSurvive() throws Exception {
        SessionWorkload w = new SessionWorkload(6, 1, c -> rotated(c), c -> Mix.ATTRIBUTES_AND_INCREMENTS, 200, Duration.ofSeconds(90));
        check("6 clients, attributes and increments across 3 nodes", w, w.run(), 1_200);
    }

    @Test
    void aReaderOnOneNodeNeverErasesAWriterOnAnother() throws Exception {
        SessionWorkload w = new SessionWorkload(2, 1, c -> List.of(nodes.get(c == 0 ? 0 : 1)),
                c -> c == 0 ? Mix.INCREMENTS : Mix.READS, 300, Duration.ofSeconds(90));
        check("writer on n1, reader on n2", w, w.run(), 600);
    }

    private static List<URI> rotated(int client) {
        return List.of(nodes.get(client % 3), nodes.get((client + 1) % 3), nodes.get((client + 2) % 3));
    }

    private static void check(String name, SessionWorkload w, History history, int expectedOps) {
        HistoryChecker.Report report = HistoryChecker.check(history, w.finalStates(nodes, Duration.ofSeconds(30)));
        System.out.printf("[%s] %s%n", name, report.summary());
        assertThat(report.operations()).as("operations run").isEqualTo(expectedOps);
        assertThat(report.problems()).as("history problems").isEmpty();
        assertThat(report.valid()).isTrue();
        assertThat(report.acknowledged()).as("acknowledged operations").isGreaterThan(expectedOps * 9L / 10);
    }
}
