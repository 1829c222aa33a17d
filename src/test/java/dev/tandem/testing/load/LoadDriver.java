package dev.tandem.testing.load;

import dev.tandem.testing.TestHttp;
import java.net.URI;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Virtual users, each with its own session, each doing a bounded loop of counter increments and
 * reads against one or more targets (round-robin). Bounded in operations and in time.
 */
public final class LoadDriver {
    private final List<URI> targets;
    private final int users;
    private final int opsPerUser;
    private final Duration maxDuration;
    private final Duration pause;
    private final Duration requestTimeout;
    private volatile boolean stopRequested;
    private final LoadResult result = new LoadResult();

    public LoadDriver(List<URI> targets, int users, int opsPerUser, Duration maxDuration, Duration pause) {
        this.targets = List.copyOf(targets);
        this.users = users;
        this.opsPerUser = opsPerUser;
        this.maxDuration = maxDuration;
        this.pause = pause;
        this.requestTimeout = Duration.ofSeconds(10);
    }

    /** Ends every user's loop early (the final check still runs). */
    public void stop() {
        stopRequested = true;
    }

    /** The figures so far, while the load runs (for waiting on progress). */
    public LoadResult progress() {
        return result;
    }

    /** Runs the load to completion (ops done, time up or stop()) and checks every user's final counter. */
    public LoadResult run() {
        long start = System.nanoTime();
        long deadline = start + maxDuration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(users);
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                int user = u;
                futures.add(pool.submit(() -> runUser(user, deadline, result)));
            }
            for (java.util.concurrent.Future<?> f : futures) {
                f.get(maxDuration.toMillis() + 120_000, TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            result.violations.add("driver error: " + e);
        } finally {
            pool.shutdownNow();
        }
        result.elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        return result;
    }

    private void runUser(int user, long deadline, LoadResult result) {
        TestHttp http = new TestHttp(targets.get(user % targets.size())).timeout(requestTimeout);
        long acknowledged = 0;   // increments the server confirmed
        long attempted = 0;      // increments sent (confirmed or not)
        long lastAcked = 0;      // the value of the last confirmed increment: nothing may be seen below it
        for (int i = 0; i < opsPerUser && !stopRequested && System.nanoTime() < deadline; i++) {
            http.at(targets.get((user + i) % targets.size()));
            boolean read = i % 3 == 2;
            LocalTime invoked = LocalTime.now();
            if (read) {
                try {
                    TestHttp.Reply r = http.get("/api/session");
                    if (r.status() == 200) {
                        long v = r.json().get("counter").asLong();
                        result.record(invoked, user, "read", "ok", r, v);
                        if (v < lastAcked) {
                            result.violations.add(invoked + " user " + user + " read " + v + " from " + r.node()
                                    + " after " + lastAcked + " was acknowledged");
                        }
                        result.readsOk.incrementAndGet();
                    } else {
                        result.readsFailed.incrementAndGet();
                        failed(result, invoked, user, "GET", http, r);
                    }
                } catch (RuntimeException e) {
                    result.readsFailed.incrementAndGet();
                    failed(result, invoked, user, "GET", http, e);
                }
            } else {
                attempted++;
                try {
                    TestHttp.Reply r = http.post("/api/session/counter", null);
                    if (r.status() == 200) {
                        long v = r.json().get("value").asLong();
                        result.record(invoked, user, "add", "ok", r, v);
                        if (v <= lastAcked) {
                            result.violations.add(invoked + " user " + user + " counter went from " + lastAcked
                                    + " to " + v + " on " + r.node());
                        }
                        lastAcked = v;
                        acknowledged++;
                        result.writesOk.incrementAndGet();
                    } else {
                        result.writesUnknown.incrementAndGet();
                        failed(result, invoked, user, "POST", http, r);
                    }
                } catch (RuntimeException e) {
                    result.writesUnknown.incrementAndGet();
                    failed(result, invoked, user, "POST", http, e);
                }
            }
            pause();
        }
        long finalValue = finalValue(http, user, result);
        result.users.add(new LoadResult.UserOutcome(user, http.sessionId(), acknowledged, attempted, finalValue));
    }

    /**
     * An answer other than 200: in the history (a read "fail", a write "unknown"), and counted by
     * method, status and the JSON error (or "no JSON error").
     */
    private static void failed(LoadResult result, LocalTime invoked, int user, String method, TestHttp http, TestHttp.Reply r) {
        result.record(invoked, user, op(method), outcome(method), r, -1);
        String error;
        try {
            error = r.json().path("error").asText("no JSON error");
        } catch (RuntimeException notJson) {
            error = "no JSON error";
        }
        result.fail(method + " " + r.status() + " " + error,
                LocalTime.now() + " user " + user + " " + method + " " + http.base() + " -> " + r.status() + " " + r.body());
    }

    /** No answer at all: in the history, and counted by method and the innermost exception's type. */
    private static void failed(LoadResult result, LocalTime invoked, int user, String method, TestHttp http, RuntimeException e) {
        result.record(invoked, user, op(method), outcome(method) + " " + e.getClass().getSimpleName(), null, -1);
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        result.fail(method + " " + root.getClass().getSimpleName(),
                LocalTime.now() + " user " + user + " " + method + " " + http.base() + " -> " + e.getMessage());
    }

    private static String op(String method) {
        return method.equals("GET") ? "read" : "add";
    }

    /** A read without an answer failed; a write without one may or may not have happened. */
    private static String outcome(String method) {
        return method.equals("GET") ? "fail" : "unknown";
    }

    /** The counter as the cluster holds it at the end, asked of any target that answers. */
    private long finalValue(TestHttp http, int user, LoadResult result) {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int i = 0;
        while (System.nanoTime() < until) {
            http.at(targets.get((user + i++) % targets.size()));
            try {
                TestHttp.Reply r = http.get("/api/session");
                if (r.status() == 200) {
                    return r.json().get("counter").asLong();
                }
            } catch (RuntimeException e) {
                // that target is down; ask the next one
            }
            pause();
        }
        result.violations.add("user " + user + ": no target answered the final read");
        return -1;
    }

    private void pause() {
        if (!pause.isZero()) {
            try {
                Thread.sleep(pause.toMillis()); // think time between a user's requests, not synchronization
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopRequested = true;
            }
        }
    }
}
