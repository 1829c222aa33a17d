package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.infinispan.Cache;
import org.infinispan.cache.impl.AbstractDelegatingCache;
import org.infinispan.commons.TimeoutException;
import org.infinispan.partitionhandling.AvailabilityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The locks a node owes the cluster after a view change, on a real (local) Infinispan cache. */
class OwedLocksTest {
    private static final String KEY = "session-1";
    @RegisterExtension
    final LocalLockCache local = new LocalLockCache();
    private final Cache<String, String> lockCache = local.cache;

    /** The lock cache, whose removes (waited for or not) fail with failure while failing is set. */
    private Cache<String, String> removesFailingWhile(AtomicBoolean failing, Supplier<RuntimeException> failure) {
        return new AbstractDelegatingCache<>(lockCache) {
            @Override
            public boolean remove(Object key, Object value) {
                if (failing.get()) {
                    throw failure.get();
                }
                return super.remove(key, value);
            }

            @Override
            public CompletableFuture<Boolean> removeAsync(Object key, Object value) {
                return failing.get() ? CompletableFuture.failedFuture(failure.get()) : super.removeAsync(key, value);
            }
        };
    }

    @Test
    void aLeftMembersLockTheCacheCouldNotRemoveAtTheViewChangeGoesOnceTheCacheIsAvailable() {
        SessionLocks leftMember = new SessionLocks(lockCache, "n2", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());
        leftMember.acquire(KEY, System.nanoTime());
        // A merge's view comes while the cache is still degraded: every write is refused at once.
        AtomicBoolean degraded = new AtomicBoolean(true);
        Cache<String, String> degradedForAWhile = removesFailingWhile(degraded,
                () -> new AvailabilityException("ISPN000306: Key is not available (this test)"));
        SessionLocks locks = new SessionLocks(degradedForAWhile, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());

        locks.owed().giveBack(Set.of("n1"));
        assertThat(lockCache.containsKey(KEY)).as("the left member's lock, while the cache is degraded").isTrue();
        assertThat(locks.owed().any()).isTrue();

        degraded.set(false);
        locks.owed().giveBackWhenAvailable(Set.of("n1"));
        assertThat(lockCache.containsKey(KEY)).as("the left member's lock, once the cache is available").isFalse();
        assertThat(locks.owed().any()).isFalse();
    }

    @Test
    void aReleaseThatFailedWithoutAViewChangeAfterItGoesAtTheNextSecondsCheck() {
        // A peer froze for less than the failure detector's time: the release timed out, and no view change follows.
        AtomicBoolean frozenPeer = new AtomicBoolean(true);
        Cache<String, String> timingOut = removesFailingWhile(frozenPeer,
                () -> new TimeoutException("ISPN000476: Timed out waiting for responses (this test)"));
        SessionLocks locks = new SessionLocks(timingOut, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30), local.gate());
        LockLease lease = locks.acquire(KEY, System.nanoTime());

        locks.release(lease);
        assertThat(lockCache.get(KEY)).as("the lock, while the peer is frozen").isEqualTo(lease.token());

        locks.owed().giveBackWhenAvailable(Set.of("n1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !locks.owed().retrying());
        assertThat(lockCache.get(KEY)).as("the lock, checked while the peer is still frozen").isEqualTo(lease.token());

        frozenPeer.set(false);
        locks.owed().giveBackWhenAvailable(Set.of("n1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !lockCache.containsKey(KEY));
        SessionLocks otherNode = new SessionLocks(lockCache, "n2", Duration.ofSeconds(1), Duration.ofSeconds(30), local.gate());
        assertThat(otherNode.acquire(KEY, System.nanoTime()).key()).isEqualTo(KEY);
    }

    @Test
    void aLockOfThisNodesEarlierRunGoesAtTheViewChangeAndOneOfThisRunStays() {
        SessionLocks earlierRun = new SessionLocks(lockCache, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30), local.gate());
        earlierRun.acquire("session-0", System.nanoTime());
        SessionLocks locks = new SessionLocks(lockCache, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30), local.gate());
        LockLease mine = locks.acquire(KEY, System.nanoTime());

        locks.owed().giveBack(Set.of("n1"));

        assertThat(lockCache.containsKey("session-0")).as("the earlier run's lock").isFalse();
        assertThat(lockCache.get(KEY)).as("this run's lock").isEqualTo(mine.token());
        assertThat(locks.owed().any()).isFalse();
    }

    @Test
    void aLockAMergeRestoredInThisNodesNameGoesAtTheViewChange() {
        SessionLocks locks = new SessionLocks(lockCache, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30), local.gate());
        LockLease given = locks.acquire("session-0", System.nanoTime());
        locks.release(given);
        lockCache.put("session-0", given.token()); // from a member cut off before the release reached it
        LockLease mine = locks.acquire(KEY, System.nanoTime());

        locks.owed().giveBack(Set.of("n1"));

        assertThat(lockCache.containsKey("session-0")).as("the restored lock").isFalse();
        assertThat(lockCache.get(KEY)).as("the lock a request holds").isEqualTo(mine.token());
    }
}
