package dev.tandem.config;

import java.time.Duration;

/**
 * What one node lets sessions cost: how long a session may live however busy it is (OWASP's
 * absolute timeout), and how many sessions the node holds before it refuses to create another.
 *
 * @param absoluteLifetime a session older than this (since it was created) ends at its next request
 * @param maxSessions      sessions held (with a replicated cache: the whole cluster's) at which new
 *                         ones are refused with 503
 */
public record SessionLimits(Duration absoluteLifetime, int maxSessions) {
    /** OWASP's session-management cheat sheet suggests a few hours to a working day; 12 h ends a long day. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(12);
    /**
     * The most one session can hold (64 attributes of up to 8 KiB, dev.tandem.api.SessionData),
     * as the unit of the default cap: every node holds every session, so even sessions all filled
     * to that cap stay within half the heap. Raise --max-sessions when sessions are small.
     */
    static final long WORST_CASE_SESSION_BYTES = 64 * 8 * 1024;

    public SessionLimits {
        if (absoluteLifetime.isNegative() || absoluteLifetime.isZero() || maxSessions < 1) {
            throw new IllegalArgumentException("lifetime and session cap must be positive: " + absoluteLifetime + ", " + maxSessions);
        }
    }

    /** The defaults for this JVM: 12 h, and the cap derived from its maximum heap. */
    public static SessionLimits defaults() {
        return new SessionLimits(DEFAULT_LIFETIME, derivedMaxSessions(Runtime.getRuntime().maxMemory()));
    }

    /** Half the heap in worst-case sessions: one session per MiB of -Xmx (-Xmx512m: 512). */
    static int derivedMaxSessions(long maxHeapBytes) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxHeapBytes / 2 / WORST_CASE_SESSION_BYTES));
    }

    /**
     * From the options, validated: --session-lifetime in seconds, at least the idle timeout (a
     * shorter one would make the idle timeout meaningless); --max-sessions, 0 = derived from the heap.
     */
    static SessionLimits from(int lifetimeSeconds, int maxSessions, Duration sessionTimeout) {
        if (lifetimeSeconds < 60 || lifetimeSeconds > 30 * 24 * 3600) {
            throw new ConfigException("--session-lifetime", lifetimeSeconds + " is outside 60-" + 30 * 24 * 3600);
        }
        if (lifetimeSeconds < sessionTimeout.toSeconds()) {
            throw new ConfigException("--session-lifetime", lifetimeSeconds + " is shorter than --session-timeout ("
                    + sessionTimeout.toSeconds() + "): sessions would end before they could go idle");
        }
        if (maxSessions < 0 || maxSessions > 10_000_000) {
            throw new ConfigException("--max-sessions", maxSessions + " is outside 0-10000000 (0 = derived from the heap)");
        }
        return new SessionLimits(Duration.ofSeconds(lifetimeSeconds),
                maxSessions == 0 ? defaults().maxSessions() : maxSessions);
    }
}
