package dev.tandem.session;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
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
 * than {@code passFor}; after that it goes back to the cluster and the next in line holds off for
 * {@code yieldFor} (longer than a waiter elsewhere takes to notice the lock is free) before asking
 * again. A passed lock counts as held from its entry's writing, so the fence's bound on writes
 * ({@link PauseFence#maxHold()}) is the same as for a lock taken afresh.
 *
 * <p>A lock nobody here waits for is kept too, within the same window, for this node's next
 * request on the session (a client's next request, the HAProxy affinity's usual case): given back
 * when the window ends, or at once when another node asks for it ({@link LockAsks}). So a client
 * sending one request after another to one node takes the session's lock from the cluster once per
 * window instead of twice per request.
 */
final class SessionLockQueue {
    private final SessionLocks locks;
    private final long passForNanos;
    private final long yieldForNanos;
    private final ScheduledExecutorService giveBacks;
    private final ConcurrentHashMap<String, Line> lines = new ConcurrentHashMap<>();

    /** One session's line on this node. */
    private static final class Line {
        /** Whose turn it is: fair, so the longest waiting goes next. Held from acquire to release. */
        final Semaphore turn = new Semaphore(1, true);
        /** Requests in the line or holding its turn; changed only inside lines.compute. */
        int users;
        /** The lock as the last holder left it for the next in line (read and written holding the turn). */
        LockLease passed;
        /** The next in line asks the cluster only after this (System.nanoTime), when set. */
        long yieldUntil;
        /** The token of the kept lock whose give-back is scheduled (read and written holding the turn). */
        String kept;

        /** The lock left here when it is the kept one (no request of this node took it since), else null. */
        LockLease keptLease() {
            return passed != null && passed.token().equals(kept) ? passed : null;
        }
    }

    /** @param giveBacks runs the give-backs of kept locks (a remove replicated to every member: not a request's thread) */
    SessionLockQueue(SessionLocks locks, Duration passFor, Duration yieldFor, ScheduledExecutorService giveBacks) {
        this.locks = locks;
        this.giveBacks = giveBacks;
        this.passForNanos = passFor.toNanos();
        this.yieldForNanos = yieldFor.toNanos();
    }

    /** Waits for this node's turn on the session, then for its lock; refuses (503) after the wait budget. */
    LockLease acquire(String key) {
        long start = System.nanoTime();
        long budget = locks.waitBudget().toNanos();
        Line line = join(key);
        try {
            if (!line.turn.tryAcquire(budget, TimeUnit.NANOSECONDS)) {
                throw new SessionUnavailableException("the session is busy (other requests on this node) for over "
                        + locks.waitBudget().toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leave(key);
            throw new SessionUnavailableException("interrupted while waiting for the session");
        } catch (RuntimeException | Error e) {
            leave(key);
            throw e;
        }
        try {
            LockLease lease = takePassed(line, start);
            if (lease == null) {
                holdOff(line, start + budget);
                lease = locks.acquire(key, start);
            }
            return lease;
        } catch (RuntimeException | Error e) {
            line.turn.release();
            leave(key);
            throw e;
        }
    }

    /**
     * Passes the lock to the next request of this node in line, keeps it for the next one to come
     * (within the window, when no other node has asked for it), or gives it back to the cluster.
     */
    void release(LockLease lease) {
        Line line = lines.get(lease.key());
        if (line == null) {
            locks.release(lease); // not taken through this queue (cannot happen): give it back
            return;
        }
        boolean waiting = line.turn.hasQueuedThreads();
        if (!passable(lease)) {
            giveBack(line, lease);
        } else if (waiting) {
            line.passed = lease;
        } else if (locks.asks().wanted(lease.key())) {
            giveBack(line, lease); // a request of this node joining meanwhile holds off while the asker takes it
        } else {
            keep(line, lease);
        }
        line.turn.release();
        leave(lease.key());
    }

    /** Another node asked for the session's lock: a lock kept for nobody goes back now (handed off the notifying thread). */
    void asked(String key) {
        if (lines.containsKey(key)) {
            try {
                giveBacks.execute(() -> giveBackKept(key, null));
            } catch (RejectedExecutionException e) {
                // stopping: the lock goes with this node's leaving the view
            }
        }
    }

    /** Keeps the lock for this node's next request on the session, until the window ends. Holding the turn. */
    private void keep(Line line, LockLease lease) {
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
        Line line = joinExisting(key);
        if (line == null) {
            return; // taken and given back by a request meanwhile: nothing kept
        }
        try {
            if (line.turn.tryAcquire()) {
                try {
                    LockLease kept = line.keptLease();
                    if (kept != null && (token == null || token.equals(kept.token()))) {
                        line.passed = null;
                        if (locks.asks().wanted(key)) {
                            giveBack(line, kept); // the next request here holds off while the asker takes it
                        } else {
                            locks.release(kept);
                        }
                    }
                } finally {
                    line.turn.release();
                }
            }
        } finally {
            leave(key);
        }
    }

    /** Sessions with requests of this node waiting for them or holding them, or whose lock is kept here. */
    int lines() {
        return lines.size();
    }

    /** Requests of this node waiting for their turn on the session. */
    int waiting(String key) {
        Line line = lines.get(key);
        return line == null ? 0 : line.turn.getQueueLength();
    }

    private LockLease takePassed(Line line, long start) {
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
    private boolean passable(LockLease lease) {
        return lease.entryAgeNanos() < passForNanos;
    }

    /** Gives a lock too old to pass on back to the cluster; the next in line holds off first. Holding the turn. */
    private void giveBack(Line line, LockLease lease) {
        locks.release(lease);
        line.yieldUntil = System.nanoTime() + yieldForNanos;
    }

    private static void holdOff(Line line, long deadline) {
        long until = Math.min(line.yieldUntil, deadline);
        line.yieldUntil = 0;
        for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private Line join(String key) {
        return lines.compute(key, (k, line) -> {
            Line joined = line == null ? new Line() : line;
            joined.users++;
            return joined;
        });
    }

    /** Joins the session's line only if there is one (a give-back has nothing to do on a line that is gone). */
    private Line joinExisting(String key) {
        return lines.computeIfPresent(key, (k, line) -> {
            line.users++;
            return line;
        });
    }

    /** The last one out of a line gives back a lock passed on to nobody (its taker gave up waiting) unless it is kept. */
    private void leave(String key) {
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
