package dev.tandem.session;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tokens this node writes into the lock cache, {@code node|run|n}: the holder's node name, so
 * that a lock outlives nobody's membership, a run's random mark, so that a restarted node under
 * the same name knows its earlier run's locks, and a count, so that each request's lock is its own.
 */
final class LockTokens {
    private static final char SEP = '|';

    private final String node;
    private final String runPrefix;
    private final AtomicLong sequence = new AtomicLong();

    LockTokens(String node) {
        this.node = node;
        this.runPrefix = node + SEP + UUID.randomUUID().toString().substring(0, 8) + SEP;
    }

    /** A new token, for one request's try at a lock. */
    String next() {
        return runPrefix + sequence.incrementAndGet();
    }

    /** Whether the token was written by this node, in this run or an earlier one. */
    boolean thisNode(String token) {
        return nodeOf(token).equals(node);
    }

    /** Whether the token was written by this node in an earlier run under the same name. */
    boolean earlierRun(String token) {
        return thisNode(token) && !token.startsWith(runPrefix);
    }

    static String nodeOf(String token) {
        int i = token.indexOf(SEP);
        return i < 0 ? token : token.substring(0, i);
    }
}
