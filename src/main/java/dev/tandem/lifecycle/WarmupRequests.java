package dev.tandem.lifecycle;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up pass's requests to the node's own connector: each written as a client writes it, sent
 * on a kept-alive {@link WarmupConnection}, and counted (sent, failed, sessions made). Thread-safe;
 * the connections are not (one per client thread).
 */
final class WarmupRequests {
    // Warmup's logger: an operator turns one logger up to see the pass's requests and its summary line.
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /**
     * A request that makes a session waits longer than the node's own bounds on a session write (lock
     * wait 3 s, replication 5 s), so it is never given up while the node goes on to make the session:
     * nobody would end that one.
     */
    private static final int NEW_SESSION_TIMEOUT_MS = 10_000;
    private static final Pattern SESSION_COOKIE = Pattern.compile("(?im)^Set-Cookie: (JSESSIONID=[^;\\r\\n]+)");

    private final InetSocketAddress address;
    private final AtomicLong sent = new AtomicLong();
    private final WarmupFailures failures = new WarmupFailures();
    private final AtomicLong sessionsMade = new AtomicLong();

    /** @param address where the node's HTTP connector listens */
    WarmupRequests(InetSocketAddress address) {
        this.address = address;
    }

    /** A new session's cookie, made on a connection of its own with the longer timeout; empty when that failed. */
    Optional<String> newSession(String host) {
        String response;
        try (WarmupConnection maker = new WarmupConnection(address, host, NEW_SESSION_TIMEOUT_MS)) {
            response = send(maker, "GET", "/api/session", null, null);
        }
        Matcher m = response == null ? null : SESSION_COOKIE.matcher(response);
        if (m == null || !m.find()) {
            return Optional.empty();
        }
        sessionsMade.incrementAndGet();
        return Optional.of(m.group(1));
    }

    /** One request on a kept-alive connection; the raw response, or null when it failed. */
    String send(WarmupConnection connection, String method, String path, String cookie, String json) {
        StringBuilder raw = new StringBuilder(160).append(method).append(' ').append(path)
                .append(" HTTP/1.1\r\nHost: ").append(connection.host()).append("\r\n");
        if (connection.accept() != null) {
            raw.append("Accept: ").append(connection.accept()).append("\r\n");
        }
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
        sent.incrementAndGet();
        try {
            String response = connection.exchange(raw.toString());
            int status = WarmupConnection.status(response);
            if (status >= 500) {
                failures.answered(status);
                LOG.debug("warm-up request {} {} answered {}", method, path, status);
            }
            return response;
        } catch (Exception e) {
            failures.failed(e);
            LOG.debug("warm-up request {} {} failed: {}", method, path, e.toString());
            return null;
        }
    }

    long sent() {
        return sent.get();
    }

    WarmupFailures failures() {
        return failures;
    }

    long sessionsMade() {
        return sessionsMade.get();
    }
}
