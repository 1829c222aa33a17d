package dev.tandem.overload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;

/**
 * A node's request budget: how many requests it works on at once, how many may wait for a slot, and
 * how long a request may wait before it is refused; and the port of the agent that tells HAProxy the
 * first number ({@link LimitAgent}). The defaults come from haproxy/node-limits.env (packaged as a
 * resource), the file HAProxy's renderer and the labs read too. The request limit is derived from
 * the node's own machine (requests per core × its cores), so it is worked out here and nowhere
 * else: HAProxy learns it from the node's agent.
 *
 * @param maxRequests      requests worked on at once
 * @param maxQueued        requests that may wait for a slot
 * @param queueTime        how long one may wait
 * @param maxRequestsGiven false when {@code maxRequests} is the per-core default of this machine
 *                         (a WAR's jetty-base then leaves it to the machine that runs it)
 * @param agentPort        the agent's port; 0 any free port; {@link #NO_AGENT} none
 */
public record OverloadLimits(int maxRequests, int maxQueued, Duration queueTime, boolean maxRequestsGiven, int agentPort) {
    /** The file's path in the jar (pom.xml copies haproxy/node-limits.env there). */
    static final String RESOURCE = "/dev/tandem/overload/node-limits.env";
    public static final int NO_AGENT = -1;
    /** node-limits.env, read once: the per-core figure and the queue's, before any machine's cores. */
    private static final Properties FILE = read();

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
        if (agentPort < NO_AGENT || agentPort > 65_535) {
            throw new IllegalArgumentException("agentPort must be a port, 0 or " + NO_AGENT + ", got " + agentPort);
        }
    }

    /** A budget given in full (tests), without an agent. */
    public OverloadLimits(int maxRequests, int maxQueued, Duration queueTime) {
        this(maxRequests, maxQueued, queueTime, true, NO_AGENT);
    }

    /** The defaults on this machine: haproxy/node-limits.env, the request limit per core. */
    public static OverloadLimits defaults() {
        return defaults(Runtime.getRuntime().availableProcessors());
    }

    static OverloadLimits defaults(int cores) {
        return new OverloadLimits(Math.max(1, cores) * Integer.parseInt(FILE.getProperty("TANDEM_REQUESTS_PER_CORE").trim()),
                Integer.parseInt(FILE.getProperty("TANDEM_MAX_QUEUED").trim()),
                Duration.ofMillis(Long.parseLong(FILE.getProperty("TANDEM_QUEUE_MS").trim())), false, NO_AGENT);
    }

    public OverloadLimits withMaxRequests(int n) {
        return new OverloadLimits(n, maxQueued, queueTime, true, agentPort);
    }

    public OverloadLimits withMaxQueued(int n) {
        return new OverloadLimits(maxRequests, n, queueTime, maxRequestsGiven, agentPort);
    }

    public OverloadLimits withQueueTime(Duration t) {
        return new OverloadLimits(maxRequests, maxQueued, t, maxRequestsGiven, agentPort);
    }

    public OverloadLimits withAgentPort(int port) {
        return new OverloadLimits(maxRequests, maxQueued, queueTime, maxRequestsGiven, port);
    }

    public boolean hasAgent() {
        return agentPort != NO_AGENT;
    }

    /**
     * How many closed-loop clients (each sending its next request once the last is answered) this
     * budget never refuses. A request keeps its slot until Jetty has completed it, which is after
     * its answer went out (a session request releases its session then), so a client's next
     * request can arrive while its last one still holds a slot: each client may take two places,
     * and half of the slots and the queue together is what is sure to fit. The node's own warm-up
     * pass uses this; with 16 clients on a limit of 16 and a queue of 8 it was refused now and then
     * (2 starts in 145 in a warm test JVM).
     */
    public int clientsNeverRefused() {
        return Math.max(1, Math.min(maxRequests, (maxRequests + maxQueued) / 2));
    }

    /** Seconds a refused client is told to wait (Retry-After): the queue budget, at least 1 s. */
    public long retryAfterSeconds() {
        return Math.max(1, (queueTime.toMillis() + 999) / 1000);
    }

    private static Properties read() {
        Properties p = new Properties();
        try (InputStream in = OverloadLimits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE + " (built from haproxy/node-limits.env)");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
