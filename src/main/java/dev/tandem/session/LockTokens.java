package dev.tandem.session;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tokens this node writes into the lock cache, {@code node|run|n}: the holder's node name, so
 * that a lock outlives nobody's membership, a run's random mark, so that a restarted node under
 * the same name knows its earlier run's locks, and a count, so that each request's lock is its own.
 *
 * <p>It also knows which of its tokens are still in use (a request trying for the lock or holding
 * it, a lock passed on or kept here): a lock entry under any other token of this node is held by
 * nobody, whatever brought it back (a write that timed out but landed, a merge that restored an
 * entry the other side had already removed), and this node may remove it at once.
 */
final class LockTokens {
    private static final char SEP = '|';

    private final String node;
    private final String runPrefix;
    private final AtomicLong sequence = new AtomicLong();
    private final Set<String> inUse = ConcurrentHashMap.newKeySet();

    LockTokens(String node) {
        this.node = node;
        this.runPrefix = node + SEP + UUID.randomUUID().toString().substring(0, 8) + SEP;
    }

    /** A new token, for one request's try at a lock; in use until {@link #retire}d. */
    String next() {
        String token = runPrefix + sequence.incrementAndGet();
        inUse.add(token);
        return token;
    }

    /** The token's lock was given back, or never taken: an entry still under it is held by nobody. */
    void retire(String token) {
        inUse.remove(token);
    }

    /** Whether the token is this node's (this run's or an earlier one's) and no longer in use here. */
    boolean orphaned(String token) {
        return thisNode(token) && !inUse.contains(token);
    }

    /** Whether the token was written by this node, in this run or an earlier one. */
    boolean thisNode(String token) {
        return nodeOf(token).equals(node);
    }

    /** How many tokens are in use. */
    int inUse() {
        return inUse.size();
    }

    static String nodeOf(String token) {
        int i = token.indexOf(SEP);
        return i < 0 ? token : token.substring(0, i);
    }
}
