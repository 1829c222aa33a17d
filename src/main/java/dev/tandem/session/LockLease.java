package dev.tandem.session;

/**
 * A lock this node holds: which key, the token that proves it, since when the request counts
 * it as held (its own start or the entry's writing, whichever came first: the fence's measure)
 * and when the entry was written at the latest (what a hand-off on this node measures).
 */
public record LockLease(String key, String token, long sinceNanos, long entryNanos) {
    long heldNanos() {
        return System.nanoTime() - sinceNanos;
    }

    long entryAgeNanos() {
        return System.nanoTime() - entryNanos;
    }
}
