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
     * Tries at ending a session before the pass leaves it to its timeout: a DELETE refused with a 5xx
     * (the session's lock not had in time) or not answered is sent once more.
     */
    static final int END_TRIES = 2;
    private static final Pattern SESSION_COOKIE = Pattern.compile("(?im)^Set-Cookie: (JSESSIONID=[^;\\r\\n]+)");

    private final InetSocketAddress address;
    private final int sessionTimeoutMs;
    private final AtomicLong sent = new AtomicLong();
    private final WarmupFailures failures = new WarmupFailures();
    private final AtomicLong sessionsMade = new AtomicLong();

    /**
     * @param address          where the node's HTTP connector listens
     * @param sessionTimeoutMs how long a request that makes or names a session waits for its answer:
     *                         longer than the node can take to serve one, so the pass never gives up on
     *                         a request the node goes on to serve (a read or write that reaches a session
     *                         the pass has meanwhile ended makes a new one, which nobody would end)
     */
    WarmupRequests(InetSocketAddress address, int sessionTimeoutMs) {
        this.address = address;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /** A new session's cookie, made on a connection of its own; empty when that failed. */
    Optional<String> newSession(String host) {
        String response;
        try (WarmupConnection maker = new WarmupConnection(address, host, sessionTimeoutMs)) {
            response = send(maker, "GET", "/api/session", null, null);
        }
        Matcher m = response == null ? null : SESSION_COOKIE.matcher(response);
        if (m == null || !m.find()) {
            return Optional.empty();
        }
        sessionsMade.incrementAndGet();
        return Optional.of(m.group(1));
    }

    /**
     * Ends a session (DELETE), trying again once when that was refused or not answered: a session the
     * pass leaves behind stays until its timeout. A failed exchange has closed the connection, so the
     * second try goes on a new one.
     */
    void endSession(WarmupConnection connection, String cookie) {
        for (int i = 0; i < END_TRIES; i++) {
            String response = send(connection, "DELETE", "/api/session", cookie, null);
            if (response != null && WarmupConnection.status(response) < 500) {
                return;
            }
        }
        LOG.warn("the warm-up pass could not end one of its sessions; it ends at its timeout");
    }

    /**
     * One request on a kept-alive connection; the raw response, or null when it failed. A request that
     * names a session waits for its answer as long as one that makes a session.
     */
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
            String response = cookie == null ? connection.exchange(raw.toString())
                    : connection.exchange(raw.toString(), sessionTimeoutMs);
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
