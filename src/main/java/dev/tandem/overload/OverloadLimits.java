package dev.tandem.overload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;

/**
 * A node's request budget: how many requests it works on at once, how many may wait for a slot, and
 * how long a request may wait before it is refused. The defaults come from haproxy/node-limits.env (packaged as a
 * resource), the file HAProxy's renderer and the labs read too, so the node's limit and HAProxy's
 * server maxconn are one number.
 */
public record OverloadLimits(int maxRequests, int maxQueued, Duration queueTime) {
    /** The file's path in the jar (pom.xml copies haproxy/node-limits.env there). */
    static final String RESOURCE = "/dev/tandem/overload/node-limits.env";
    private static final OverloadLimits DEFAULTS = read();

    public OverloadLimits {
        if (maxRequests < 1) {
            throw new IllegalArgumentException("maxRequests must be at least 1, got " + maxRequests);
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be at least 1, got " + maxQueued);
        }
        if (queueTime.isNegative()) {
            throw new IllegalArgumentException("queueTime must not be negative, got " + queueTime);
        }
    }

    public static OverloadLimits defaults() {
        return DEFAULTS;
    }

    /** Seconds a refused client is told to wait (Retry-After): the queue budget, at least 1 s. */
    public long retryAfterSeconds() {
        return Math.max(1, (queueTime.toMillis() + 999) / 1000);
    }

    private static OverloadLimits read() {
        Properties p = new Properties();
        try (InputStream in = OverloadLimits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE + " (built from haproxy/node-limits.env)");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new OverloadLimits(Integer.parseInt(p.getProperty("TANDEM_MAX_REQUESTS").trim()),
                Integer.parseInt(p.getProperty("TANDEM_MAX_QUEUED").trim()),
                Duration.ofMillis(Long.parseLong(p.getProperty("TANDEM_QUEUE_MS").trim())));
    }
}
