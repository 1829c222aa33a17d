package dev.tandem.lifecycle;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded synthetic pass through the node's own request paths before it reports ready, so the
 * JIT has compiled them before the balancer sends real traffic (issue 16: a cold node served ~6% of
 * its plateau in its first 5 s of load). The requests enter through Jetty's {@link LocalConnector}
 * with the real connector's HTTP configuration, so they take the whole handler tree (request
 * budget, size limit, sessions, filters, resources and, standalone, the session store) without a
 * socket or an HTTP client: the CPU goes to the server's code, not to a client's. Measured on one
 * core, 15 s passes: the JDK's HTTP client took 12 % of the node's CPU and the pass made 3,887
 * requests; through the local connector 3 % and 5,489. Failures are counted, never fatal.
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
    private static final long REQUEST_TIMEOUT_MS = 2_000;
    private static final Pattern SESSION_COOKIE = Pattern.compile("(?im)^Set-Cookie: (JSESSIONID=[^;\\r\\n]+)");

    private final Server server;
    private final Duration budget;
    private final boolean sessions;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private LocalConnector local;
    private volatile boolean stop;
    private final StringBuilder curve = new StringBuilder();

    /**
     * @param server the node's started server (its first HTTP connector's configuration is used)
     * @param budget how long the pass runs at most; zero turns it off
     * @param sessions whether the pass may create, use and invalidate sessions (standalone only)
     */
    public Warmup(Server server, Duration budget, boolean sessions) {
        this.server = server;
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
        local = new LocalConnector(server, new HttpConnectionFactory(httpConfigurationOf(server)));
        server.addConnector(local);
        try {
            local.start();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Thread t = new Thread(this::loop, "tandem-warmup-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            watch(deadline);
            stop = true;
            for (Thread t : threads) {
                t.join(REQUEST_TIMEOUT_MS + 500); // one request timeout more and they are left behind
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failures.incrementAndGet();
            LOG.warn("the warm-up pass could not start: {}", e.toString());
        } finally {
            stopLocal();
        }
        LOG.info("warmed up in {} ms: {} requests through the node's own stack ({} failed){}; per second, requests/ms compiling:{}",
                (System.nanoTime() - t0) / 1_000_000, requests.get(), failures.get(),
                sessions ? "" : "; no session requests (clustered)", curve);
    }

    /**
     * Ticks every second until the deadline, noting the requests made and the JIT's compile time in
     * that second: the log line's curve shows whether the JIT was still busy when the pass ended.
     */
    private void watch(long deadline) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long lastRequests = 0;
        long lastJit = jit.getTotalCompilationTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(Math.min(1000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            long r = requests.get();
            long j = jit.getTotalCompilationTime();
            curve.append(' ').append(r - lastRequests).append('/').append(j - lastJit);
            lastRequests = r;
            lastJit = j;
        }
    }

    private void stopLocal() {
        try {
            local.stop();
        } catch (Exception e) {
            LOG.debug("stopping the warm-up connector: {}", e.toString());
        }
        server.removeConnector(local);
    }

    /** The real connector's HTTP settings (customizers, header size), so the pass sees what clients see. */
    private static HttpConfiguration httpConfigurationOf(Server server) {
        for (Connector c : server.getConnectors()) {
            if (c instanceof ServerConnector sc && sc.getConnectionFactory(HttpConnectionFactory.class) != null) {
                return sc.getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration();
            }
        }
        throw new IllegalStateException("the server has no HTTP connector to warm up");
    }

    private void loop() {
        Optional<String> cookie = sessions ? sessionCookie() : Optional.empty();
        try {
            while (!stop && !Thread.currentThread().isInterrupted()) {
                send("GET", "/api/node", null, null);
                send("GET", "/health/live", null, null);
                send("GET", "/api/warmup-not-found", null, null); // the JSON error path
                if (cookie.isPresent()) {
                    for (int i = 0; i < 3; i++) {
                        send("GET", "/api/session", cookie.get(), null);
                    }
                    send("POST", "/api/session/counter", cookie.get(), null);
                    send("PUT", "/api/session/attributes/warmup", cookie.get(), "1");
                    send("GET", "/api/cart", cookie.get(), null);
                }
            }
        } finally {
            cookie.ifPresent(c -> send("DELETE", "/api/session", c, null));
        }
    }

    private Optional<String> sessionCookie() {
        String response = send("GET", "/api/session", null, null);
        Matcher m = response == null ? null : SESSION_COOKIE.matcher(response);
        return m != null && m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** One request on a connection of its own; the raw response, or null when it failed. */
    private String send(String method, String path, String cookie, String json) {
        StringBuilder raw = new StringBuilder(160).append(method).append(' ').append(path)
                .append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        if (cookie != null) {
            raw.append("Cookie: ").append(cookie).append("\r\n");
        }
        if (json != null) {
            raw.append("Content-Type: application/json\r\nContent-Length: ").append(json.length()).append("\r\n");
        } else if (!method.equals("GET")) {
            raw.append("Content-Length: 0\r\n");
        }
        raw.append("\r\n");
        if (json != null) {
            raw.append(json);
        }
        requests.incrementAndGet();
        try {
            String response = local.getResponse(raw.toString(), REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (response == null || status(response) >= 500) {
                failures.incrementAndGet();
            }
            return response;
        } catch (Exception e) {
            failures.incrementAndGet();
            LOG.debug("warm-up request {} {} failed: {}", method, path, e.toString());
            return null;
        }
    }

    /** The status of a raw response ("HTTP/1.1 200 OK..."), 0 when there is none. */
    static int status(String response) {
        if (response.length() < 12 || !response.startsWith("HTTP/1.")) {
            return 0;
        }
        try {
            return Integer.parseInt(response.substring(9, 12));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public long requests() {
        return requests.get();
    }

    public long failures() {
        return failures.get();
    }
}
