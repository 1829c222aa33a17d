package dev.tandem.session;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.infinispan.partitionhandling.AvailabilityMode;
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
 * removed when the holder leaves the view ({@link #giveBackOwed}), and expires by itself
 * in any case. A holder that was paused past its lease is refused at write time by the store's
 * fence, so an expired lease can never let an old write land. A request waiting for a lock
 * another node holds asks for it ({@link LockAsks}).
 */
public final class SessionLocks {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLocks.class);
    private static final char SEP = '|';
    /** A waiter looks at its local replica of a busy lock at least this often. */
    static final Duration LONGEST_POLL = Duration.ofMillis(5);

    private final Cache<String, String> locks;
    /**
     * This member's replica, read without a remote call: built once, since each withFlags builds
     * and wires a new decorated cache (1.2 % of C3b's CPU when built per read; it is immutable).
     */
    private final AdvancedCache<String, String> local;
    private final String node;
    private final String incarnation = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong sequence = new AtomicLong();
    private final Set<Lease> pendingReleases = ConcurrentHashMap.newKeySet();
    /** Locks whose writing failed, to be given back on every member ({@link #giveBackUnknown}). */
    private final Set<Lease> unknownWrites = ConcurrentHashMap.newKeySet();
    private final Duration wait;
    private final Duration lease;

    private final ViewGate gate;
    private final LockAsks asks;
    /** Something is left to give back ({@link #giveBackOwed}); written on the view-work thread. */
    private volatile boolean owed;

    /**
     * A lock this node holds: which key, the token that proves it, since when the request counts
     * it as held (its own start or the entry's writing, whichever came first: the fence's measure)
     * and when the entry was written at the latest (what a hand-off on this node measures).
     */
    public record Lease(String key, String token, long sinceNanos, long entryNanos) {
        long heldNanos() {
            return System.nanoTime() - sinceNanos;
        }

        long entryAgeNanos() {
            return System.nanoTime() - entryNanos;
        }
    }

    SessionLocks(Cache<String, String> locks, String node, Duration wait, Duration lease, ViewGate gate) {
        this.gate = gate;
        this.locks = locks;
        this.local = locks.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD);
        this.node = node;
        this.wait = wait;
        this.lease = lease;
        this.asks = new LockAsks(locks, local, wait);
    }

    /** Other nodes' requests for this node's locks. */
    LockAsks asks() {
        return asks;
    }

    /** How long a request may wait for a session's lock before it is refused (503). */
    Duration waitBudget() {
        return wait;
    }

    /**
     * Waits until the wait budget from {@code start} (System.nanoTime) is spent for the session's
     * lock; refuses with 503 after that.
     */
    public Lease acquire(String key, long start) {
        String token = node + SEP + incarnation + SEP + sequence.incrementAndGet();
        long deadline = start + wait.toNanos();
        long backoffNanos = TimeUnit.MICROSECONDS.toNanos(200);
        boolean asked = false;
        while (true) {
            String holder;
            long writing = System.nanoTime();
            try {
                holder = locks.putIfAbsent(key, token, lease.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                giveBackUnknown(new Lease(key, token, start, writing));
                throw new SessionUnavailableException("cannot lock the session", e);
            }
            if (holder == null) {
                return settledOrRefused(new Lease(key, token, start, writing), deadline);
            }
            if (System.nanoTime() >= deadline) {
                throw new SessionUnavailableException("the session is busy (locked by " + nodeOf(holder) + ") for over " + wait.toMillis() + " ms");
            }
            if (!asked && !nodeOf(holder).equals(node)) {
                asks.ask(key, token);
                asked = true;
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
     * Takes over a lock another request of this node held and passed on without giving it back
     * (see {@link SessionLockQueue}): the lease, counted from {@code start} or the entry's writing
     * if that came first, when the entry still holds its token and the cache has settled within
     * the wait budget; otherwise the lock is given back and the answer is empty.
     */
    Optional<Lease> adopt(Lease passed, long start) {
        String holder;
        try {
            holder = local.get(passed.key());
        } catch (RuntimeException e) {
            holder = null;
        }
        if (!passed.token().equals(holder)) {
            release(passed); // lapsed or removed since: nothing of it is this node's any more
            return Optional.empty();
        }
        Lease adopted = new Lease(passed.key(), passed.token(), Math.min(start, passed.entryNanos()), passed.entryNanos());
        return Optional.of(settledOrRefused(adopted, start + wait.toNanos()));
    }

    /**
     * A lock taken (or taken over) in a view Infinispan has not caught up with, maybe by a cut-off
     * minority, counts only once the cache has settled before the request's deadline; otherwise it
     * is given back and the request refused.
     */
    private Lease settledOrRefused(Lease lease, long deadline) {
        Optional<String> changing = gate.awaitSettled(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (changing.isPresent()) {
            release(lease);
            throw new SessionUnavailableException("cannot lock the session: " + changing.get());
        }
        return lease;
    }

    /**
     * Gives the lock back (only if it is still this lease's: an expired lease is left alone). A
     * release the cluster cannot take now (a member was just cut off) is retried at the next view
     * change: waiting for the lease would keep the session locked on every node, and a merge
     * rewrites the entry with a fresh lifespan.
     */
    public void release(Lease lease) {
        try {
            locks.remove(lease.key(), lease.token());
        } catch (RuntimeException e) {
            pendingReleases.add(lease);
            LOG.warn("could not release the lock of a session now ({}); retrying at the next view change", e.toString());
        }
    }

    /**
     * A lock write that failed may still have landed on some members: on a replication timeout the
     * write stays on some and not others, the primary owner included or not (CutOffLockWriteTest
     * logs where). Once a member holding it decides the key (the next view, a merge), the session
     * is locked by nobody for the lease, or longer after a merge (CI here: a session answered 503
     * "busy" on its node for 40 s). Asked at once, without waiting (the cluster that just failed the
     * write may fail this too), and again at each view change until done.
     */
    private void giveBackUnknown(Lease lease) {
        unknownWrites.add(lease);
        try {
            retakeAndGiveBack(lease).whenComplete((removed, failure) -> {
                if (failure == null) {
                    unknownWrites.remove(lease);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("could not give back a lock whose writing failed, now: {}", e.toString());
        }
    }

    /**
     * The token is the failed request's alone, so it is taken again through the primary owner,
     * which writes it to every member (the same value where it had landed), and given back, which
     * removes it from every member. If another request holds the lock, its write has already
     * replaced the failed one everywhere: nothing to do.
     */
    private CompletableFuture<Boolean> retakeAndGiveBack(Lease lease) {
        return locks.putIfAbsentAsync(lease.key(), lease.token(), this.lease.toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(holder -> holder == null || holder.equals(lease.token())
                        ? locks.removeAsync(lease.key(), lease.token())
                        : CompletableFuture.completedFuture(false));
    }

    /**
     * After a view change: retries the releases and the give-backs of lock writes that failed, and
     * removes the locks of members that left. What the cluster cannot take now (a cache still
     * degraded when a merge's view comes) stays owed, for {@link #giveBackOwedWhenAvailable}.
     */
    void giveBackOwed(Set<String> members) {
        retryPendingReleases();
        boolean staleLeft = !removeLocksHeldOutside(members);
        owed = staleLeft || !pendingReleases.isEmpty() || !unknownWrites.isEmpty();
    }

    /**
     * Called every second: once the lock cache is available again, gives back what the last view
     * change could not. A merge's view comes while the caches are still degraded, and a lock left
     * behind then kept its session from every node until its lease lapsed (MergedJoinerIT, CI:
     * reads timed out after the merge).
     */
    void giveBackOwedWhenAvailable(Set<String> members) {
        if (owed && locks.getAdvancedCache().getAvailability() == AvailabilityMode.AVAILABLE) {
            giveBackOwed(members);
        }
    }

    /** Something the last try could not give back, for a test. */
    boolean owesLocks() {
        return owed;
    }

    /** Retries the releases that failed, and the give-backs of failed lock writes. */
    void retryPendingReleases() {
        retry(pendingReleases, lease -> locks.remove(lease.key(), lease.token()));
        retry(unknownWrites, lease -> retakeAndGiveBack(lease).join());
    }

    private void retry(Set<Lease> pending, Consumer<Lease> giveBack) {
        for (Lease lease : List.copyOf(pending)) {
            try {
                giveBack.accept(lease);
                pending.remove(lease);
            } catch (RuntimeException e) {
                if (lease.heldNanos() > 2 * this.lease.toNanos()) {
                    pending.remove(lease); // long expired: nothing left to give back
                }
            }
        }
    }

    /**
     * Removes locks whose holder is no longer a member (crashed, cut off or paused out of the view),
     * and this node's locks from an earlier run under the same name; false when one could not be.
     */
    private boolean removeLocksHeldOutside(Set<String> members) {
        int removed = 0;
        boolean all = true;
        for (var e : List.copyOf(local.entrySet())) {
            String holder = e.getValue();
            boolean gone = !members.contains(nodeOf(holder));
            boolean earlierRun = nodeOf(holder).equals(node) && !holder.startsWith(node + SEP + incarnation + SEP);
            if (gone || earlierRun) {
                try {
                    if (locks.remove(e.getKey(), holder)) {
                        removed++;
                    }
                } catch (RuntimeException ex) {
                    all = false;
                    LOG.debug("could not remove a stale lock now (tried again once the cache is available): {}", ex.toString());
                }
            }
        }
        if (removed > 0) {
            LOG.info("removed {} session locks held by members that left", removed);
        }
        return all;
    }

    private static String nodeOf(String token) {
        int i = token.indexOf(SEP);
        return i < 0 ? token : token.substring(0, i);
    }
}
