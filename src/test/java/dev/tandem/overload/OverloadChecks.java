package dev.tandem.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestHttp;
import dev.tandem.testing.history.History;
import dev.tandem.testing.history.HistoryChecker;
import dev.tandem.testing.history.SessionWorkload;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** What both overload tests check: the budget held, refusals are proper, nothing acknowledged was lost. */
final class OverloadChecks {
    /** Answered within the queue budget plus this: a cold JVM on a shared core is slow, but not seconds slow. */
    static final Duration SLACK = Duration.ofSeconds(4);

    private OverloadChecks() {}

    /** Gives the processes one core (CPU 0), so a client on the other can offer more than they can serve. */
    static void pinToFirstCore(long... pids) throws Exception {
        if (Runtime.getRuntime().availableProcessors() < 2 || !Files.isExecutable(Path.of("/usr/bin/taskset"))) {
            return; // then the client shares the core; the assertions hold either way
        }
        for (long pid : pids) {
            Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", "0", Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    static List<String> newSessions(URI base, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestHttp http = new TestHttp(base);
            TestHttp.Reply r = http.get("/api/session");
            assertThat(r.status()).as("creating session %d: %s", i, r.body()).isEqualTo(200);
            out.add(http.sessionId());
        }
        return out;
    }

    static void assertBudgetHeld(List<OpenLoop.Sample> samples, Duration queueBudget) {
        long limit = queueBudget.plus(SLACK).toMillis();
        assertThat(samples).as("requests not even sent (client limit)").noneMatch(OpenLoop.Sample::skipped);
        assertThat(samples).as("requests without an answer").allSatisfy(s -> assertThat(s.status())
                .as("%s", s.failure()).isNotZero());
        assertThat(samples).as("statuses").allSatisfy(s -> assertThat(s.status()).isIn(200, 429, 503));
        assertThat(samples).as("answered within the budget (%d ms)", limit)
                .allSatisfy(s -> assertThat(s.latencyMillis()).isLessThanOrEqualTo(limit));
        assertThat(samples.stream().filter(s -> s.status() != 200)).as("refusals").allSatisfy(s -> {
            assertThat(s.retryAfter()).as("Retry-After").isNotBlank();
            assertThat(s.contentType()).as("Content-Type").startsWith("application/json");
            // overloaded (node or HAProxy), too_many_requests (rate limit), session_unavailable (the
            // session's lock not free in time): all say "retry shortly".
            assertThat(s.error()).as("JSON error code").isNotBlank();
        });
    }

    /** Jepsen-style: every acknowledged increment is in the final counters, none twice, no read went back. */
    static HistoryChecker.Report assertNoAcknowledgedWriteLost(History history, List<String> sessions, URI base) {
        Map<String, HistoryChecker.FinalState> finals = new HashMap<>();
        for (String cookie : sessions) {
            TestHttp http = new TestHttp(base).timeout(Duration.ofSeconds(10));
            http.sessionId(cookie);
            TestHttp.Reply r = http.get("/api/session");
            if (r.status() == 200 && !r.json().path("new").asBoolean(false)) {
                Set<String> attrs = new HashSet<>();
                r.json().get("attributes").fieldNames().forEachRemaining(attrs::add);
                finals.put(SessionWorkload.clusterId(cookie), new HistoryChecker.FinalState(r.json().get("counter").asLong(), attrs));
            }
        }
        HistoryChecker.Report report = HistoryChecker.check(history, finals);
        assertThat(report.valid()).as(report.summary() + " " + report.problems()).isTrue();
        return report;
    }

    /** Right after the load: plain requests are answered 200 again. */
    static void assertRecovers(URI base, String cookie) {
        Awaitility.await("normal answers after the load").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    for (int i = 0; i < 20; i++) {
                        TestHttp http = new TestHttp(base).timeout(Duration.ofSeconds(2));
                        http.sessionId(cookie);
                        assertThat(http.post("/api/session/counter", null).status()).isEqualTo(200);
                    }
                });
    }
}
