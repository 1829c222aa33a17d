package dev.tandem.session;

import java.util.Optional;

/**
 * This node's requests that only read a session share its lock ({@link ReadGroup}) instead of
 * lining up for it one by one ({@link SessionLockQueue}): on one hot session they no longer sleep
 * in its line and wake each other in turn (bench/side/shared-reads.md: 1.66 times the rate of
 * GET /api/session without the line). A write still holds the session alone: it waits for the
 * readers before it, and readers arriving after it wait for it (the line's turn is fair). Readers
 * join only while the lock is young enough to pass on, so a stream of reads holds another node's
 * write no longer than passing the lock from request to request does.
 */
final class SharedReads {
    private final SessionLockQueue queue;

    SharedReads(SessionLockQueue queue) {
        this.queue = queue;
    }

    /**
     * Waits for a turn beside this node's other readers of the session, then leads a group that
     * takes its lock, or joins the group that holds it; refuses (503) after the wait budget. The
     * lease is this request's: the group's lock, counted from this request's start or the lock's
     * writing, whichever came first (the fence's measure).
     */
    LockLease acquire(String key) {
        long start = System.nanoTime();
        long deadline = start + queue.locks().waitBudget().toNanos();
        SessionLine line = queue.join(key);
        queue.turn(line, key, 1, start);
        try {
            while (true) {
                ReadGroup.Entry entry = line.reads.enter(deadline, queue::passable);
                if (entry == null) {
                    throw queue.busy();
                }
                if (entry.leads()) {
                    return lead(line, key, start);
                }
                Optional<LockLease> shared;
                try {
                    shared = queue.locks().share(entry.joined(), start);
                } catch (RuntimeException | Error e) {
                    leaveGroup(line);
                    throw e;
                }
                if (shared.isPresent()) {
                    return shared.get();
                }
                line.reads.close(); // the lock lapsed under the group: it ends, and a new one takes the lock
                leaveGroup(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            giveUp(line, key);
            throw new SessionUnavailableException("interrupted while waiting for the session");
        } catch (RuntimeException | Error e) {
            giveUp(line, key);
            throw e;
        }
    }

    /** A reader is done: the last of its group passes, keeps or gives back the lock, as a write does. */
    void release(LockLease lease) {
        SessionLine line = queue.line(lease.key());
        if (line == null) {
            queue.locks().release(lease); // not taken through the line (cannot happen): give it back
            return;
        }
        try {
            leaveGroup(line);
        } finally { // the turn is never left taken, whatever ending it met
            giveUp(line, lease.key());
        }
    }

    private LockLease lead(SessionLine line, String key, long start) {
        LockLease lease;
        try {
            lease = queue.take(line, key, start);
        } catch (RuntimeException | Error e) {
            line.reads.leadFailed();
            throw e;
        }
        line.reads.led(lease);
        return lease;
    }

    private void leaveGroup(SessionLine line) {
        LockLease last = line.reads.leave();
        if (last != null) {
            try {
                queue.endTurn(line, last);
            } finally {
                line.reads.ended();
            }
        }
    }

    private void giveUp(SessionLine line, String key) {
        line.turn.release(1);
        queue.leave(key);
    }
}
