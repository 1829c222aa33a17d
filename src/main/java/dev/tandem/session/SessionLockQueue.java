package dev.tandem.session;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * This node's requests for one session line up here, in arrival order, and only the first asks the
 * cluster for the session's lock ({@link SessionLocks}). When it is done and the next one is
 * waiting, it passes the lock on without giving it back to the cluster: two replicated writes saved
 * per request, and no herd of waiters polling the lock cache (64 requests on one session spent
 * ~0.5 ms of CPU each on that, bench/side C2).
 *
 * <p>Passing on is bounded so other nodes get their turn: only while the lock's entry is younger
 * than {@code passFor}; after that it goes back to the cluster. When another node has asked for it
 * ({@link LockAsks}), the next in line here holds off for {@code yieldFor} (longer than a waiter
 * elsewhere takes to notice the lock is free) before asking again; when nobody has, it asks at once
 * (a node that holds a hot session alone idled {@code yieldFor} of every {@code passFor}, 3 % of
 * bench C2). A passed lock counts as held from its entry's writing, so the fence's bound on writes
 * ({@link PauseFence#maxHold()}) is the same as for a lock taken afresh.
 *
 * <p>A lock nobody here waits for is kept too, within the same window, for this node's next
 * request on the session (a client's next request, the HAProxy affinity's usual case): given back
 * when the window ends, or at once when another node asks for it ({@link LockAsks}). So a client
 * sending one request after another to one node takes the session's lock from the cluster once per
 * window instead of twice per request.
 *
 * <p>Requests that only read share a turn ({@link SharedReads}); a request that writes takes the
 * whole turn ({@link SessionLine#ALONE}).
 */
final class SessionLockQueue {
    private final SessionLocks locks;
    private final long passForNanos;
    private final long yieldForNanos;
    private final ScheduledExecutorService giveBacks;
    private final ConcurrentHashMap<String, SessionLine> lines = new ConcurrentHashMap<>();

    /** @param giveBacks runs the give-backs of kept locks (a remove replicated to every member: not a request's thread) */
    SessionLockQueue(SessionLocks locks, Duration passFor, Duration yieldFor, ScheduledExecutorService giveBacks) {
        this.locks = locks;
        this.giveBacks = giveBacks;
        this.passForNanos = passFor.toNanos();
        this.yieldForNanos = yieldFor.toNanos();
    }

    /** Waits for this node's turn on the session alone, then for its lock; refuses (503) after the wait budget. */
    LockLease acquire(String key) {
        long start = System.nanoTime();
        SessionLine line = join(key);
        turn(line, key, SessionLine.ALONE, start);
        try {
            return take(line, key, start);
        } catch (RuntimeException | Error e) {
            line.turn.release(SessionLine.ALONE);
            leave(key);
            throw e;
        }
    }

    /**
     * Passes the lock to the next request of this node in line, keeps it for the next one to come
     * (within the window, when no other node has asked for it), or gives it back to the cluster.
     */
    void release(LockLease lease) {
        SessionLine line = lines.get(lease.key());
        if (line == null) {
            locks.release(lease); // not taken through this queue (cannot happen): give it back
            return;
        }
        try {
            endTurn(line, lease);
        } finally { // the turn is never left taken, whatever ending it met
            line.turn.release(SessionLine.ALONE);
            leave(lease.key());
        }
    }

    /** Whoever ends a turn on the lock: pass it on, keep it, or give it back. */
    void endTurn(SessionLine line, LockLease lease) {
        if (!passable(lease)) {
            giveBack(line, lease);
        } else if (line.waited()) {
            line.passed = lease;
        } else if (locks.asks().wanted(lease.key())) {
            giveBack(line, lease); // asked for elsewhere: not kept
        } else {
            keep(line, lease);
        }
    }

    /** Waits for {@code permits} of the line's turn within the wait budget from {@code start}; leaves the line if not. */
    void turn(SessionLine line, String key, int permits, long start) {
        long left = start + locks.waitBudget().toNanos() - System.nanoTime();
        try {
            if (!line.turn.tryAcquire(permits, left, TimeUnit.NANOSECONDS)) {
                throw busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leave(key);
            throw new SessionUnavailableException("interrupted while waiting for the session");
        } catch (RuntimeException | Error e) {
            leave(key);
            throw e;
        }
    }

    /** The lock for a request holding the turn: the one passed on here, else the cluster's after holding off. */
    LockLease take(SessionLine line, String key, long start) {
        LockLease lease = takePassed(line, start);
        if (lease == null) {
            holdOff(line, start + locks.waitBudget().toNanos());
            lease = locks.acquire(key, start);
        }
        return lease;
    }

    SessionUnavailableException busy() {
        return new SessionUnavailableException("the session is busy (other requests on this node) for over "
                + locks.waitBudget().toMillis() + " ms");
    }

    /**
     * Another node asked for the session's lock: a lock kept for nobody goes back now, and so does
     * one held in this node's name by none of its requests (handed off the notifying thread).
     */
    void asked(String key) {
        boolean kept = lines.containsKey(key);
        try {
            giveBacks.execute(() -> {
                if (kept) {
                    giveBackKept(key, null);
                } else {
                    locks.giveBackOrphaned(key, null);
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping: the lock goes with this node's leaving the view
        }
    }

    /** Keeps the lock for this node's next request on the session, until the window ends. Holding the turn. */
    private void keep(SessionLine line, LockLease lease) {
        if (!lease.token().equals(line.kept)) { // one give-back per lock: its window counts from the entry's writing
            long left = passForNanos - lease.entryAgeNanos();
            try {
                giveBacks.schedule(() -> giveBackKept(lease.key(), lease.token()), left, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                locks.release(lease); // stopping: nothing would give it back
                return;
            }
            line.kept = lease.token();
        }
        line.passed = lease;
    }

    /**
     * Gives back the session's kept lock, if nobody holds the turn and it is still kept: the one with
     * {@code token}, or whichever when null. A request that holds the turn decides when it is done.
     */
    private void giveBackKept(String key, String token) {
        SessionLine line = joinExisting(key);
        if (line == null) {
            return; // taken and given back by a request meanwhile: nothing kept
        }
        try {
            if (line.turn.tryAcquire(SessionLine.ALONE)) {
                try {
                    LockLease kept = line.keptLease();
                    if (kept != null && (token == null || token.equals(kept.token()))) {
                        line.passed = null;
                        giveBack(line, kept);
                    }
                } finally {
                    line.turn.release(SessionLine.ALONE);
                }
            }
        } finally {
            leave(key);
        }
    }

    /** The session's line on this node, if it has one. */
    SessionLine line(String key) {
        return lines.get(key);
    }

    SessionLocks locks() {
        return locks;
    }

    /** Sessions with requests of this node waiting for them or holding them, or whose lock is kept here. */
    int lines() {
        return lines.size();
    }

    /** Requests of this node waiting for their turn on the session, or (reads) for their group. */
    int waiting(String key) {
        SessionLine line = lines.get(key);
        return line == null ? 0 : line.turn.getQueueLength() + line.reads.waiting();
    }

    private LockLease takePassed(SessionLine line, long start) {
        LockLease passed = line.passed;
        if (passed == null) {
            return null;
        }
        line.passed = null;
        if (!passable(passed)) {
            giveBack(line, passed); // left for a request that gave up waiting; too old to pass on now
            return null;
        }
        return locks.adopt(passed, start).orElse(null);
    }

    /** A lock this node may still pass on: its entry is young enough. */
    boolean passable(LockLease lease) {
        return lease.entryAgeNanos() < passForNanos;
    }

    /**
     * Gives the lock back to the cluster; the next in line holds off first if another node asked
     * for it (a waiter asks again while its ask is gone: {@link SessionLocks#acquire}). Holding the turn.
     */
    private void giveBack(SessionLine line, LockLease lease) {
        boolean asked = locks.asks().wanted(lease.key());
        locks.release(lease);
        if (asked) {
            line.yieldUntil = System.nanoTime() + yieldForNanos;
        }
    }

    private static void holdOff(SessionLine line, long deadline) {
        long until = Math.min(line.yieldUntil, deadline);
        line.yieldUntil = 0;
        for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    SessionLine join(String key) {
        return lines.compute(key, (k, line) -> {
            SessionLine joined = line == null ? new SessionLine() : line;
            joined.users++;
            return joined;
        });
    }

    /** Joins the session's line only if there is one (a give-back has nothing to do on a line that is gone). */
    private SessionLine joinExisting(String key) {
        return lines.computeIfPresent(key, (k, line) -> {
            line.users++;
            return line;
        });
    }

    /** The last one out of a line gives back a lock passed on to nobody (its taker gave up waiting) unless it is kept. */
    void leave(String key) {
        LockLease[] orphan = new LockLease[1];
        lines.computeIfPresent(key, (k, line) -> {
            if (--line.users > 0) {
                return line;
            }
            if (line.keptLease() != null && passable(line.passed)) {
                return line; // kept for the next request: its give-back is scheduled
            }
            orphan[0] = line.passed;
            return null;
        });
        if (orphan[0] != null) {
            locks.release(orphan[0]);
        }
    }
}
