package dev.tandem.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session locks this node still owes the cluster: releases the cluster could not take when
 * they were made, lock writes that failed but may have landed, the locks of members that left,
 * and locks in this node's name that none of its requests holds.
 * All are tried again at every view change and every second once the lock cache is available: a
 * lock left behind keeps its session from every node until its lease lapses.
 */
final class OwedLocks {
    private static final Logger LOG = LoggerFactory.getLogger(OwedLocks.class);

    private final Cache<String, String> locks;
    private final AdvancedCache<String, String> local;
    private final LockTokens tokens;
    private final Duration lease;
    private final Set<LockLease> pendingReleases = ConcurrentHashMap.newKeySet();
    /** Locks whose writing failed, to be given back on every member ({@link #writeFailed}). */
    private final Set<LockLease> unknownWrites = ConcurrentHashMap.newKeySet();
    /** Something is left to give back; written on the view-work thread. */
    private volatile boolean owed;
    /** The background retries under way ({@link #retryFailedInBackground}); used on the view-work thread. */
    private CompletableFuture<Void> retrying = CompletableFuture.completedFuture(null);

    /** @param local the lock cache's replica on this member, read without a remote call */
    OwedLocks(Cache<String, String> locks, AdvancedCache<String, String> local, LockTokens tokens, Duration lease) {
        this.locks = locks;
        this.local = local;
        this.tokens = tokens;
        this.lease = lease;
    }

    /**
     * A release the cluster could not take now (a member was just cut off, or froze for less than
     * the failure detector's time, so no view change follows) is retried every second and at the
     * next view change: waiting for the lease would keep the session locked on every node, and a
     * merge rewrites the entry with a fresh lifespan.
     */
    void releaseFailed(LockLease lease, RuntimeException failure) {
        pendingReleases.add(lease);
        LOG.warn("could not release the lock of a session now ({}); retrying", failure.toString());
    }

    /**
     * A lock write that failed may still have landed on some members: on a replication timeout the
     * write stays on some and not others, the primary owner included or not (CutOffLockWriteTest
     * logs where). Once a member holding it decides the key (the next view, a merge), the session
     * is locked by nobody for the lease, or longer after a merge (CI here: a session answered 503
     * "busy" on its node for 40 s). Asked at once, without waiting (the cluster that just failed the
     * write may fail this too), and again at each view change until done.
     */
    void writeFailed(LockLease lease) {
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
    private CompletableFuture<Boolean> retakeAndGiveBack(LockLease lease) {
        return locks.putIfAbsentAsync(lease.key(), lease.token(), this.lease.toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(holder -> holder == null || holder.equals(lease.token())
                        ? locks.removeAsync(lease.key(), lease.token())
                        : CompletableFuture.completedFuture(false));
    }

    /**
     * After a view change: retries the releases and the give-backs of lock writes that failed, and
     * removes the locks of members that left. What the cluster cannot take now (a cache still
     * degraded when a merge's view comes) stays owed, for {@link #giveBackWhenAvailable}.
     */
    void giveBack(Set<String> members) {
        retryFailed();
        boolean staleLeft = !removeLocksHeldOutside(members);
        owed = staleLeft || !pendingReleases.isEmpty() || !unknownWrites.isEmpty();
    }

    /**
     * Called every second: once the lock cache is available again, gives back what the last view
     * change could not, and retries the releases and give-backs that failed since. A merge's view
     * comes while the caches are still degraded, and a lock left behind then kept its session from
     * every node until its lease lapsed (MergedJoinerIT, CI: reads timed out after the merge). A
     * release that failed with no view change after it waited for the lease too, before it was
     * retried here.
     */
    void giveBackWhenAvailable(Set<String> members) {
        boolean failedSince = !pendingReleases.isEmpty() || !unknownWrites.isEmpty();
        if ((owed || failedSince) && MajorityAvailability.available(locks)) {
            if (owed) {
                giveBack(members);
            } else {
                retryFailedInBackground();
            }
        }
    }

    /**
     * Retries the releases and give-backs that failed, without waiting for them: the view-work
     * thread that calls this also applies view changes, and a try that waits out a frozen peer (the
     * lock cache's remote timeout, 3 s) would hold them up. One round at a time.
     */
    private void retryFailedInBackground() {
        if (!retrying.isDone()) {
            return;
        }
        List<CompletableFuture<Void>> tries = new ArrayList<>();
        for (LockLease lease : List.copyOf(pendingReleases)) {
            tries.add(settle(pendingReleases, lease, () -> locks.removeAsync(lease.key(), lease.token())));
        }
        for (LockLease lease : List.copyOf(unknownWrites)) {
            tries.add(settle(unknownWrites, lease, () -> retakeAndGiveBack(lease)));
        }
        retrying = CompletableFuture.allOf(tries.toArray(CompletableFuture<?>[]::new));
    }

    /** Forgets the lease once its give-back went through, or once it is long expired. */
    private CompletableFuture<Void> settle(Set<LockLease> pending, LockLease lease, Supplier<CompletableFuture<?>> giveBack) {
        CompletableFuture<?> attempt;
        try {
            attempt = giveBack.get();
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        return attempt.handle((done, failure) -> {
            if (failure == null || longExpired(lease)) {
                pending.remove(lease);
            }
            return null;
        });
    }

    /** Something the last try could not give back, for a test. */
    boolean any() {
        return owed;
    }

    /** Background retries are under way, for a test. */
    boolean retrying() {
        return !retrying.isDone();
    }

    /** Retries the releases that failed, and the give-backs of failed lock writes. */
    void retryFailed() {
        retry(pendingReleases, lease -> locks.remove(lease.key(), lease.token()));
        retry(unknownWrites, lease -> retakeAndGiveBack(lease).join());
    }

    private void retry(Set<LockLease> pending, Consumer<LockLease> giveBack) {
        for (LockLease lease : List.copyOf(pending)) {
            try {
                giveBack.accept(lease);
                pending.remove(lease);
            } catch (RuntimeException e) {
                if (longExpired(lease)) {
                    pending.remove(lease);
                }
            }
        }
    }

    /** Nothing is left to give back: the lease has lapsed on every member long ago. */
    private boolean longExpired(LockLease lease) {
        return lease.heldNanos() > 2 * this.lease.toNanos();
    }

    /**
     * Removes locks whose holder is no longer a member (crashed, cut off or paused out of the view),
     * and this node's locks that none of its requests holds ({@link LockTokens#orphaned}: an earlier
     * run's under the same name, or one a merge restored); false when one could not be.
     */
    private boolean removeLocksHeldOutside(Set<String> members) {
        int removed = 0;
        boolean all = true;
        for (var e : List.copyOf(local.entrySet())) {
            String holder = e.getValue();
            if (!members.contains(LockTokens.nodeOf(holder)) || tokens.orphaned(holder)) {
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
            LOG.info("removed {} session locks held by members that left or by none of this node's requests", removed);
        }
        return all;
    }
}
