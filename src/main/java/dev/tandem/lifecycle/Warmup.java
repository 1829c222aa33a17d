package dev.tandem.lifecycle;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded synthetic pass through the node's own request paths before it reports ready, so the
 * JIT has compiled them before the balancer sends real traffic (issue 16: a cold node served ~6% of
 * its plateau in its first 5 s of load). The requests go to the node's own connector over kept-alive
 * loopback connections ({@link WarmupConnection}), so they take the whole path a client's request
 * takes: socket and selector, the handler tree (request budget, size limit, sessions), filters,
 * resources and, standalone, the session store. The client is a few lines of blocking socket code,
 * not an HTTP library: the JDK's HTTP client took 12 % of the node's CPU in a pass. Failures are
 * counted, never fatal.
 *
 * <p>The pass lasts until the JIT is done (its compile queue stays empty for a few seconds), not a
 * fixed time: on one core the tiered JIT needs about half a minute of these paths, and a node made
 * ready before that serves a fraction of its plateau for as long (bench/node/README.md). The
 * budget bounds it.
 *
 * <p>Sessions: a standalone node's sessions live in a local cache, so each client thread writes a
 * session of its own, all of them read one shared session, and every one is invalidated at the end.
 * What stays behind are those sessions' event channels (the replay buffers of their writes, at
 * most {@code EventLog.CAPACITY} events each), until their retention ends, as any ended session's. A
 * clustered node's session writes would be replicated to, and locked on, the other members while
 * they serve; there the pass keeps to the paths without a session.
 */
public final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /**
     * At most this many client threads, and never more than the node's request limit (which is what
     * HAProxy sends it at once): the paths under concurrency (lock waits, the session's line, the
     * selector with many connections) are compiled too; with 4 clients the node compiled for 1.6-2.3 s
     * more in its first 5 s of 64 connections, at 0.61 of its plateau.
     */
    public static final int MAX_CLIENTS = 16;
    /**
     * The JIT counts as done once it has compiled for less than this in each of {@link #QUIET_SECONDS}
     * seconds in a row (5 % of a second): its queue is empty, so the pass's paths are compiled.
     */
    static final long QUIET_MS_PER_SECOND = 50;
    /** Three seconds: one C2 compilation of a large method can take a second or more before it is counted. */
    static final int QUIET_SECONDS = 3;
    private static final int REQUEST_TIMEOUT_MS = 2_000;
    private static final Pattern SESSION_COOKIE = Pattern.compile("(?im)^Set-Cookie: (JSESSIONID=[^;\\r\\n]+)");

    private final Server server;
    private final Duration budget;
    private final boolean sessions;
    private final int clients;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private InetSocketAddress address;
    /** The session every client reads (standalone only). */
    private Optional<String> shared = Optional.empty();
    private volatile boolean stop;
    private boolean settled;
    private final StringBuilder curve = new StringBuilder();

    /**
     * @param server the node's started server (the pass connects to its first HTTP connector)
     * @param budget how long the pass runs at most (it ends sooner once the JIT is done); zero turns it off
     * @param sessions whether the pass may create, use and invalidate sessions (standalone only)
     * @param requestLimit the node's request limit: the pass sends at most that many requests at once
     */
    public Warmup(Server server, Duration budget, boolean sessions, int requestLimit) {
        this.server = server;
        this.budget = budget;
        this.sessions = sessions;
        this.clients = Math.max(1, Math.min(MAX_CLIENTS, requestLimit));
    }

    /** Runs the pass; returns once the JIT is done or the budget is spent (at once when it is zero). */
    public void run() {
        if (budget.isZero() || budget.isNegative()) {
            return;
        }
        long t0 = System.nanoTime();
        long deadline = t0 + budget.toNanos();
        try {
            address = addressOf(server);
            if (sessions) {
                try (WarmupConnection opener = connect("localhost")) {
                    shared = sessionCookie(opener);
                }
            }
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                // Half the clients name the host, half give the address, as browsers and probes do:
                // the node's URI handling compiles for both instead of deoptimizing on the first of the other kind.
                String host = i % 2 == 0 ? "localhost" : address.getAddress().getHostAddress() + ":" + address.getPort();
                Thread t = new Thread(() -> loop(host), "tandem-warmup-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            settled = watch(deadline);
            stop = true;
            for (Thread t : threads) {
                t.join(REQUEST_TIMEOUT_MS + 500); // one request timeout more and they are left behind
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | UnknownHostException e) {
            failures.incrementAndGet();
            LOG.warn("the warm-up pass could not start: {}", e.toString());
        } finally {
            // On a connection of its own: one kept from the start would have passed the node's idle timeout.
            shared.ifPresent(c -> {
                try (WarmupConnection closer = connect("localhost")) {
                    send(closer, "DELETE", "/api/session", c, null);
                }
            });
        }
        LOG.info("warmed up in {} ms ({}): {} requests through the node's own stack ({} failed){}; per second, requests/ms compiling:{}",
                (System.nanoTime() - t0) / 1_000_000, settled ? "the JIT is done" : "the budget ran out, the JIT was still compiling",
                requests.get(), failures.get(), sessions ? "" : "; no session requests (clustered)", curve);
    }

    /**
     * Ticks every second until the JIT is done or the deadline passes, noting the requests made and
     * the JIT's compile time in that second (the log line's curve). True when the JIT was done.
     */
    private boolean watch(long deadline) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            Thread.sleep(Math.max(0, (deadline - System.nanoTime()) / 1_000_000)); // no JIT to wait for: the whole budget
            return false;
        }
        long lastRequests = 0;
        long lastJit = jit.getTotalCompilationTime();
        int quiet = 0;
        while (quiet < QUIET_SECONDS && System.nanoTime() < deadline) {
            long tickMs = Math.min(1000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            Thread.sleep(tickMs);
            long r = requests.get();
            long j = jit.getTotalCompilationTime();
            curve.append(' ').append(r - lastRequests).append('/').append(j - lastJit);
            // Only whole seconds count: the short last tick before the deadline says nothing.
            quiet = tickMs == 1000 ? quietRun(quiet, j - lastJit) : 0;
            lastRequests = r;
            lastJit = j;
        }
        return quiet >= QUIET_SECONDS;
    }

    /** The JIT's quiet seconds in a row, after one more second in which it compiled for {@code compiledMs}. */
    static int quietRun(int run, long compiledMs) {
        return compiledMs < QUIET_MS_PER_SECOND ? run + 1 : 0;
    }

    /** Where the node's HTTP connector listens, as the pass reaches it: a wildcard host is reached on loopback. */
    static InetSocketAddress addressOf(Server server) throws UnknownHostException {
        for (Connector c : server.getConnectors()) {
            if (c instanceof ServerConnector sc && sc.getConnectionFactory(HttpConnectionFactory.class) != null
                    && sc.getLocalPort() > 0) {
                String host = sc.getHost();
                InetAddress ip = host == null || host.isEmpty() ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
                return new InetSocketAddress(ip.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : ip, sc.getLocalPort());
            }
        }
        throw new IllegalStateException("the server has no open HTTP connector to warm up");
    }

    /** A connection to the node's own port whose requests name {@code host} (connected on its first request). */
    private WarmupConnection connect(String host) {
        return new WarmupConnection(address, host, REQUEST_TIMEOUT_MS);
    }

    private void loop(String host) {
        try (WarmupConnection connection = connect(host)) {
            loop(connection);
        }
    }

    private void loop(WarmupConnection connection) {
        Optional<String> cookie = sessions ? sessionCookie(connection) : Optional.empty();
        try {
            while (!stop && !Thread.currentThread().isInterrupted()) {
                send(connection, "GET", "/api/node", null, null);
                send(connection, "GET", "/health/live", null, null);
                send(connection, "GET", "/api/warmup-not-found", null, null); // the JSON error path
                if (cookie.isPresent() && shared.isPresent()) {
                    for (int i = 0; i < 3; i++) {
                        // One session read by every client at once, as one user's tabs do: its line and lock under contention.
                        send(connection, "GET", "/api/session", shared.get(), null);
                    }
                    send(connection, "POST", "/api/session/counter", cookie.get(), null);
                    send(connection, "PUT", "/api/session/attributes/warmup", cookie.get(), "1");
                    send(connection, "GET", "/api/cart", cookie.get(), null);
                }
            }
        } finally {
            cookie.ifPresent(c -> send(connection, "DELETE", "/api/session", c, null));
        }
    }

    private Optional<String> sessionCookie(WarmupConnection connection) {
        String response = send(connection, "GET", "/api/session", null, null);
        Matcher m = response == null ? null : SESSION_COOKIE.matcher(response);
        return m != null && m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** One request on the thread's kept-alive connection; the raw response, or null when it failed. */
    private String send(WarmupConnection connection, String method, String path, String cookie, String json) {
        StringBuilder raw = new StringBuilder(160).append(method).append(' ').append(path)
                .append(" HTTP/1.1\r\nHost: ").append(connection.host()).append("\r\n");
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
            String response = connection.exchange(raw.toString());
            if (WarmupConnection.status(response) >= 500) {
                failures.incrementAndGet();
            }
            return response;
        } catch (Exception e) {
            failures.incrementAndGet();
            LOG.debug("warm-up request {} {} failed: {}", method, path, e.toString());
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
