package dev.tandem.session;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lock per session across the cluster, held by the request that works on the session (as
 * WildFly's distributable sessions do), so requests for one session run one after another on
 * whichever nodes they land.
 *
 * <p>A lock is an entry in a replicated cache written with {@code putIfAbsent}, which Infinispan
 * decides on the key's primary owner and applies on every member before it returns: two nodes can
 * never both get it while they share a view. Each lock is a lease: a crashed holder's lock is
 * removed when the holder leaves the view ({@link OwedLocks}), and expires by itself
 * in any case. A holder that was paused past its lease is refused at write time by the store's
 * fence, so an expired lease can never let an old write land. A request waiting for a lock
 * another node holds asks for it ({@link LockAsks}).
 */
public final class SessionLocks {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLocks.class);
    /** A waiter looks at its local replica of a busy lock at least this often. */
    static final Duration LONGEST_POLL = Duration.ofMillis(5);

    private final Cache<String, String> locks;
    /**
     * This member's replica, read without a remote call: built once, since each withFlags builds
     * and wires a new decorated cache (1.2 % of C3b's CPU when built per read; it is immutable).
     */
    private final AdvancedCache<String, String> local;
    private final LockTokens tokens;
    private final Duration wait;
    private final Duration lease;

    private final ViewGate gate;
    private final LockAsks asks;
    private final OwedLocks owed;

    SessionLocks(Cache<String, String> locks, String node, Duration wait, Duration lease, ViewGate gate) {
        this.gate = gate;
        this.locks = locks;
        this.local = locks.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD);
        this.tokens = new LockTokens(node);
        this.wait = wait;
        this.lease = lease;
        this.asks = new LockAsks(locks, local, wait);
        this.owed = new OwedLocks(locks, local, tokens, lease);
    }

    /** Other nodes' requests for this node's locks. */
    LockAsks asks() {
        return asks;
    }

    /** What this node still owes the cluster: releases and lock writes that failed, left members' locks. */
    OwedLocks owed() {
        return owed;
    }

    /** This node's lock tokens in use (trying for a lock, holding, passing on or keeping one), for a test. */
    int tokensInUse() {
        return tokens.inUse();
    }

    /** How long a request may wait for a session's lock before it is refused (503). */
    Duration waitBudget() {
        return wait;
    }

    /**
     * Waits until the wait budget from {@code start} (System.nanoTime) is spent for the session's
     * lock; refuses with 503 after that.
     */
    public LockLease acquire(String key, long start) {
        String token = tokens.next();
        try {
            return acquire(key, token, start);
        } catch (RuntimeException | Error e) {
            tokens.retire(token);
            throw e;
        }
    }

    private LockLease acquire(String key, String token, long start) {
        long deadline = start + wait.toNanos();
        long backoffNanos = TimeUnit.MICROSECONDS.toNanos(200);
        while (true) {
            String holder;
            long writing = System.nanoTime();
            try {
                holder = locks.putIfAbsent(key, token, lease.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                owed.writeFailed(new LockLease(key, token, start, writing));
                throw new SessionUnavailableException("cannot lock the session", e);
            }
            // Its own token: the entry is this request's. (A write Infinispan sends again after a view
            // change, finding its first try there, is meant to answer null; this does not rely on it.)
            if (holder == null || holder.equals(token)) {
                return settledOrRefused(new LockLease(key, token, start, writing), deadline);
            }
            if (giveBackOrphaned(key, holder)) {
                continue;
            }
            if (System.nanoTime() >= deadline) {
                throw new SessionUnavailableException("the session is busy (locked by " + LockTokens.nodeOf(holder) + ") for over " + wait.toMillis() + " ms");
            }
            // Asks while its ask is not there (it lasts one wait budget, from this wait or an earlier
            // one): a holder gives the lock back without holding its own requests off when nobody asked.
            if (!tokens.thisNode(holder) && !asks.wanted(key)) {
                asks.ask(key, token);
            }
            // The replica is local (REPL): watch it go without asking the primary owner each time.
            long until = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
            while (System.nanoTime() < until && local.containsKey(key)) {
                LockSupport.parkNanos(backoffNanos);
                backoffNanos = Math.min(backoffNanos * 2, LONGEST_POLL.toNanos());
            }
        }
    }

    /**
     * Removes the session's lock if it is held in this node's name by nobody here ({@link
     * LockTokens#orphaned}): left by a write that timed out but landed, or restored by a merge from
     * a member that never saw it given back (CI: a session answered 503 "busy, locked by" its own
     * node for 30 s, during a partition and after the heal). Only that very entry is removed.
     *
     * @param holder the lock's holder as last read, or null to read this member's replica
     * @return whether it was removed
     */
    boolean giveBackOrphaned(String key, String holder) {
        try {
            String seen = holder != null ? holder : local.get(key);
            if (seen == null || !tokens.orphaned(seen) || !locks.remove(key, seen)) {
                return false;
            }
            LOG.info("gave back a session lock held in this node's name by none of its requests");
            return true;
        } catch (RuntimeException e) {
            LOG.debug("could not give back a session lock held by none of this node's requests now: {}", e.toString());
            return false;
        }
    }

    /**
     * Takes over a lock another request of this node held and passed on without giving it back
     * (see {@link SessionLockQueue}): the lease, counted from {@code start} or the entry's writing
     * if that came first, when the entry still holds its token and the cache has settled within
     * the wait budget; otherwise the lock is given back and the answer is empty.
     */
    Optional<LockLease> adopt(LockLease passed, long start) {
        if (!stillHeld(passed)) {
            release(passed); // lapsed or removed since: nothing of it is this node's any more
            return Optional.empty();
        }
        return Optional.of(settledOrRefused(counted(passed, start), start + wait.toNanos()));
    }

    /**
     * Reads beside another request of this node that holds the lock now ({@link ReadGroup}): the
     * lease counted as {@link #adopt} counts it, when the entry still holds its token and the cache
     * has settled within the wait budget; empty when it lapsed. Never gives the lock back: its
     * group does.
     */
    Optional<LockLease> share(LockLease held, long start) {
        if (!stillHeld(held)) {
            return Optional.empty();
        }
        refuseUnlessSettled(start + wait.toNanos());
        return Optional.of(counted(held, start));
    }

    private boolean stillHeld(LockLease lease) {
        try {
            return lease.token().equals(local.get(lease.key()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The lease counted from {@code start} or the entry's writing, whichever came first. */
    private static LockLease counted(LockLease lease, long start) {
        return new LockLease(lease.key(), lease.token(), Math.min(start, lease.entryNanos()), lease.entryNanos());
    }

    /**
     * A lock taken (or taken over) in a view Infinispan has not caught up with, maybe by a cut-off
     * minority, counts only once the cache has settled before the request's deadline; otherwise it
     * is given back and the request refused.
     */
    private LockLease settledOrRefused(LockLease lease, long deadline) {
        try {
            refuseUnlessSettled(deadline);
        } catch (SessionUnavailableException e) {
            release(lease);
            throw e;
        }
        return lease;
    }

    /** Waits until {@code deadline} (System.nanoTime) for the cache to settle; refuses (503) if it has not. */
    private void refuseUnlessSettled(long deadline) {
        Optional<String> changing = gate.awaitSettled(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (changing.isPresent()) {
            throw new SessionUnavailableException("cannot lock the session: " + changing.get());
        }
    }

    /**
     * Gives the lock back (only if it is still this lease's: an expired lease is left alone); one
     * the cluster cannot take now is owed ({@link OwedLocks#releaseFailed}).
     */
    public void release(LockLease lease) {
        tokens.retire(lease.token());
        try {
            locks.remove(lease.key(), lease.token());
        } catch (RuntimeException e) {
            owed.releaseFailed(lease, e);
        }
    }
}
