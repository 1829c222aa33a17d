package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.TestHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client writes large session attributes without pause, as often as the node answers. Every
 * write publishes an event carrying the value, and every node keeps every channel's events: before
 * the event log had a budget, 1,000 such writes held 16 MiB per session and this client took a
 * node of 256 MiB to OutOfMemoryError within 15 sessions.
 */
class EventMemoryIT {
    private static final Pattern RETAINED = Pattern.compile("(?m)^tandem_events_retained_bytes\\{[^}]*\\} (\\S+)$");

    @Test
    void aClientWritingLargeValuesWithoutPauseCannotFillTheNodesHeap(@TempDir Path logs) throws Exception {
        try (NodeProcess node = NodeProcess.start("m1", logs, "--node", "m1", "--host", "127.0.0.1", "--port", "0",
                "--warmup-seconds", "0")) {
            URI uri = node.awaitListening(Duration.ofSeconds(60));
            Awaitility.await("ready").atMost(Duration.ofSeconds(60))
                    .until(() -> new TestHttp(uri).timeout(Duration.ofSeconds(2)).get("/health/ready").status() == 200);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String value = "\"" + "x".repeat(7990) + "\"";
            Map<String, Integer> answers = new TreeMap<>();
            long started = System.nanoTime();
            // 90 sessions of 230 writes: 340 MiB of events without a budget; with it, each channel at its
            // own budget (2 MiB) and all of them together past the node's (a quarter of 256 MiB).
            long deadline = started + Duration.ofSeconds(180).toNanos(); // a node thrashing in GC answers slowly, if at all
            write(http, uri, value, 90, 230, deadline, answers);
            double seconds = (System.nanoTime() - started) / 1e9;
            int sent = answers.values().stream().mapToInt(Integer::intValue).sum();
            System.out.printf("[event memory] %d writes of 8 KB in %.1f s on 90 sessions: answers %s; node alive: %s%n",
                    sent, seconds, answers, node.isAlive());

            assertThat(node.isAlive()).as("the node survived (its log: %s)", node.tail()).isTrue();
            assertThat(answers).as("every write acknowledged").containsOnlyKeys("204");
            assertThat(sent).as("all of them sent").isEqualTo(90 * 230);
            // The last drop may still be on its way out of the cache.
            Awaitility.await("the events' weight within a quarter of the heap (64 MiB)").atMost(Duration.ofSeconds(10))
                    .until(() -> retainedMiB(uri), mib -> mib <= 64.0);
            assertThat(node.readLog()).as("the channels idle longest were dropped").contains("over their budget");
            assertThat(new TestHttp(uri).get("/health/live").status()).isEqualTo(200);
        }
    }

    private static double retainedMiB(URI uri) {
        Matcher m = RETAINED.matcher(new TestHttp(uri).get("/metrics").body());
        assertThat(m.find()).as("the gauge tandem_events_retained_bytes").isTrue();
        return Double.parseDouble(m.group(1)) / (1 << 20);
    }

    /** The writes, one after another, until done, past the deadline or after 20 failures in a row. */
    private static void write(HttpClient http, URI uri, String value, int sessions, int writes, long deadline,
                              Map<String, Integer> answers) throws Exception {
        int failedInARow = 0;
        for (int s = 0; s < sessions && failedInARow < 20 && System.nanoTime() < deadline; s++) {
            String cookie;
            try {
                cookie = http.send(HttpRequest.newBuilder(uri.resolve("/api/session/counter")).timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                        .headers().firstValue("Set-Cookie").orElse("none").split(";")[0];
            } catch (java.io.IOException e) {
                answers.merge("no session: " + e.getClass().getSimpleName(), 1, Integer::sum);
                failedInARow++;
                continue;
            }
            for (int i = 0; i < writes && failedInARow < 20 && System.nanoTime() < deadline; i++) {
                HttpRequest put = HttpRequest.newBuilder(uri.resolve("/api/session/attributes/a" + i % 8))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").header("Cookie", cookie)
                        .PUT(HttpRequest.BodyPublishers.ofString(value)).build();
                String answer;
                try {
                    answer = Integer.toString(http.send(put, HttpResponse.BodyHandlers.discarding()).statusCode());
                } catch (java.io.IOException e) {
                    answer = e.getClass().getSimpleName();
                }
                answers.merge(answer, 1, Integer::sum);
                failedInARow = answer.equals("204") ? 0 : failedInARow + 1;
            }
        }
    }
}
