package dev.tandem.lifecycle;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded synthetic pass through the node's own connector before it reports ready, so the JIT
 * has compiled the request paths before the balancer sends real traffic (issue 16: a cold node
 * served ~6% of its plateau in its first 5 s of load). The requests go through the real
 * connector, filters, resources and (standalone) session store, from a few client threads on
 * loopback, until the budget runs out; failures are counted, never fatal.
 *
 * <p>Sessions: a standalone node's sessions live in a local cache, so the pass reads and writes a
 * session of its own per client thread and invalidates it at the end: nothing is left behind. A
 * clustered node's session writes would be replicated to, and locked on, the other members while
 * they serve; there the pass keeps to the paths without a session.
 */
public final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /** Client threads: enough to keep both cores' worth of request slots busy, well under the request limit. */
    static final int CLIENTS = 4;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    private final URI base;
    private final Duration budget;
    private final boolean sessions;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param base the node's own address (loopback when it listens on every address)
     * @param budget how long the pass runs at most; zero turns it off
     * @param sessions whether the pass may create, use and invalidate sessions (standalone only)
     */
    public Warmup(URI base, Duration budget, boolean sessions) {
        this.base = base;
        this.budget = budget;
        this.sessions = sessions;
    }

    /** Runs the pass; returns when the budget is spent (or at once when it is zero). */
    public void run() {
        if (budget.isZero() || budget.isNegative()) {
            return;
        }
        long t0 = System.nanoTime();
        long deadline = t0 + budget.toNanos();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(REQUEST_TIMEOUT).build();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Thread t = new Thread(() -> loop(client, deadline), "tandem-warmup-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                // The loops stop at the deadline; one request timeout more and they are left behind.
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + REQUEST_TIMEOUT.toMillis() + 500));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.info("warmed up in {} ms: {} requests through the node's own stack ({} failed){}",
                (System.nanoTime() - t0) / 1_000_000, requests.get(), failures.get(),
                sessions ? "" : "; no session requests (clustered)");
    }

    private void loop(HttpClient client, long deadline) {
        Optional<String> cookie = sessions ? sessionCookie(client) : Optional.empty();
        try {
            while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                send(client, "GET", "/api/node", null, null);
                send(client, "GET", "/health/live", null, null);
                send(client, "GET", "/api/warmup-not-found", null, null); // the JSON error path
                if (cookie.isPresent()) {
                    for (int i = 0; i < 3; i++) {
                        send(client, "GET", "/api/session", cookie.get(), null);
                    }
                    send(client, "POST", "/api/session/counter", cookie.get(), null);
                    send(client, "PUT", "/api/session/attributes/warmup", cookie.get(), "1");
                    send(client, "GET", "/api/cart", cookie.get(), null);
                }
            }
        } finally {
            cookie.ifPresent(c -> send(client, "DELETE", "/api/session", c, null));
        }
    }

    private Optional<String> sessionCookie(HttpClient client) {
        HttpResponse<Void> r = send(client, "GET", "/api/session", null, null);
        return r == null ? Optional.empty() : r.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("JSESSIONID="))
                .map(c -> c.split(";", 2)[0])
                .findFirst();
    }

    private HttpResponse<Void> send(HttpClient client, String method, String path, String cookie, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        requests.incrementAndGet();
        try {
            HttpResponse<Void> r = client.send(b.build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() >= 500) {
                failures.incrementAndGet();
            }
            return r;
        } catch (java.io.IOException e) {
            failures.incrementAndGet();
            LOG.debug("warm-up request {} {} failed: {}", method, path, e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public long requests() {
        return requests.get();
    }

    public long failures() {
        return failures.get();
    }
}
