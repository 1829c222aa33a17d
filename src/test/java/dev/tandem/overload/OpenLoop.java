package dev.tandem.overload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testing.history.History;
import dev.tandem.testing.history.Op;
import dev.tandem.testing.history.SessionWorkload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop client, as a crowd of independent users arrives: request i starts at
 * {@code i / rate} seconds whatever the earlier ones got, half session reads and half counter writes
 * on the given sessions. Bounded: {@code rate × duration} requests at most, at most
 * {@code maxOutstanding} waiting at once (beyond that a request is not sent and counted as
 * {@link Sample#skipped()}), each cut off after {@code timeout}. Every write and read also goes
 * into a {@link History} for the Jepsen-style checker. Loopback targets only.
 */
final class OpenLoop {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request: when it was due and answered (nanos), its status (0 = no answer), what came back. */
    record Sample(long dueNanos, long doneNanos, boolean write, int status, String retryAfter, String contentType,
                  String error, String failure) {
        long latencyMillis() {
            return TimeUnit.NANOSECONDS.toMillis(doneNanos - dueNanos);
        }

        boolean skipped() {
            return status == -1;
        }
    }

    private final List<URI> targets;
    private final List<String> sessions;
    private final Duration timeout;
    private final int maxOutstanding;
    private final History history = new History();

    OpenLoop(List<URI> targets, List<String> sessions, Duration timeout, int maxOutstanding) {
        for (URI t : targets) {
            if (!t.getHost().startsWith("127.") && !t.getHost().equals("localhost")) {
                throw new IllegalArgumentException("loopback targets only: " + t);
            }
        }
        this.targets = List.copyOf(targets);
        this.sessions = List.copyOf(sessions);
        this.timeout = timeout;
        this.maxOutstanding = maxOutstanding;
    }

    History history() {
        return history;
    }

    /** Offers {@code rate} requests per second for {@code duration}; returns once every request is answered or cut off. */
    List<Sample> run(double rate, Duration duration) throws InterruptedException {
        int total = (int) Math.min(1_000_000, Math.round(rate * duration.toMillis() / 1000.0));
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>(total));
        AtomicInteger outstanding = new AtomicInteger();
        // HttpClient runs its own response processing on this pool too: two threads throttled it to
        // seconds of client-side lag at 1,500 req/s; eight keep it out of the measurement.
        ExecutorService callbacks = Executors.newFixedThreadPool(8);
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).executor(callbacks).build();
        try {
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            double gap = 1e9 / rate;
            for (int i = 0; i < total; i++) {
                long due = start + (long) (i * gap);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                boolean write = i % 2 == 1;
                if (outstanding.get() >= maxOutstanding) {
                    samples.add(new Sample(due, due, write, -1, null, null, null, "client limit"));
                    continue;
                }
                outstanding.incrementAndGet();
                send(client, i, due, write, samples, outstanding);
            }
            long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(5);
            while (outstanding.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            callbacks.shutdownNow();
        }
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    private void send(HttpClient client, int i, long due, boolean write, List<Sample> samples, AtomicInteger outstanding) {
        int s = (i / 2) % sessions.size();
        String cookie = sessions.get(s);
        URI base = targets.get(i % targets.size());
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/api/session" + (write ? "/counter" : "")))
                .timeout(timeout).header("Cookie", "JSESSIONID=" + cookie);
        HttpRequest request = write ? b.POST(HttpRequest.BodyPublishers.noBody()).build() : b.GET().build();
        long invoked = System.nanoTime();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            long done = System.nanoTime();
            try {
                if (r == null) {
                    samples.add(new Sample(due, done, write, 0, null, null, null, String.valueOf(e)));
                    history.add(new Op(s, SessionWorkload.clusterId(cookie), write ? Op.Kind.INCREMENT : Op.Kind.READ, null,
                            invoked, done, write ? Op.Outcome.UNKNOWN : Op.Outcome.FAILED, -1, base.toString(), false,
                            String.valueOf(e)));
                    return;
                }
                JsonNode body = parse(r.body());
                samples.add(new Sample(due, done, write, r.statusCode(), r.headers().firstValue("Retry-After").orElse(null),
                        r.headers().firstValue("Content-Type").orElse(null),
                        body == null ? null : body.path("error").asText(null), null));
                history.add(op(s, cookie, write, invoked, done, r, body));
            } finally {
                outstanding.decrementAndGet();
            }
        });
    }

    private static Op op(int client, String cookie, boolean write, long invoked, long done, HttpResponse<String> r,
                         JsonNode body) {
        String session = SessionWorkload.clusterId(cookie);
        String node = r.headers().firstValue("X-Tandem-Node").orElse("?");
        String set = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
                .map(c -> c.substring("JSESSIONID=".length()).split(";", 2)[0]).findFirst().orElse(null);
        boolean replaced = set != null && !SessionWorkload.clusterId(set).equals(session);
        Op.Kind kind = write ? Op.Kind.INCREMENT : Op.Kind.READ;
        if (r.statusCode() == 200 && body != null) {
            long value = write ? body.path("value").asLong(-1) : body.path("counter").asLong(-1);
            replaced |= !write && body.path("new").asBoolean(false);
            return new Op(client, session, kind, null, invoked, done, Op.Outcome.OK, value, node, replaced,
                    replaced ? "new session " + set : "");
        }
        // A refused read changed nothing; a write answered 5xx may have been cut off after the cluster took it.
        Op.Outcome outcome = !write || (r.statusCode() >= 400 && r.statusCode() < 500) ? Op.Outcome.FAILED : Op.Outcome.UNKNOWN;
        return new Op(client, session, kind, null, invoked, done, outcome, -1, node, replaced, r.statusCode() + " " + r.body());
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? null : JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }
}
