package dev.tandem.session;

import java.util.concurrent.Semaphore;

/** One session's line on this node ({@link SessionLockQueue}): whose turn it is, and the lock as its last holder left it. */
final class SessionLine {
    /** The permits of a request that writes: all of them, so it holds the turn alone. */
    static final int ALONE = 1 << 16;

    /**
     * Whose turn it is: fair, so the longest waiting goes next. A request that writes takes all
     * permits, one that only reads takes one and shares the lock with the others ({@link ReadGroup}).
     */
    final Semaphore turn = new Semaphore(ALONE, true);
    /** This node's readers sharing the session's lock. */
    final ReadGroup reads = new ReadGroup();
    /** Requests in the line or holding its turn; changed only inside the queue's lines.compute. */
    int users;
    /** The lock as the last holder left it for the next in line (read and written by whoever deals with the lock). */
    LockLease passed;
    /** The next in line asks the cluster only after this (System.nanoTime), when set. */
    long yieldUntil;
    /** The token of the kept lock whose give-back is scheduled (as {@link #passed}). */
    String kept;

    /** The lock left here when it is the kept one (no request of this node took it since), else null. */
    LockLease keptLease() {
        return passed != null && passed.token().equals(kept) ? passed : null;
    }

    /** Requests of this node waiting for the session: in the turn's queue, or readers waiting for their group. */
    boolean waited() {
        return turn.hasQueuedThreads() || reads.waiting() > 0;
    }
}
