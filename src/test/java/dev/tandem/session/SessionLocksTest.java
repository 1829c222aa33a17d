package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.infinispan.Cache;
import org.infinispan.cache.impl.AbstractDelegatingCache;
import org.infinispan.commons.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster-wide session lock, on a real (local) Infinispan cache. */
class SessionLocksTest {
    private static final String KEY = "session-1";
    @RegisterExtension
    final LocalLockCache local = new LocalLockCache();
    private final Cache<String, String> lockCache = local.cache;

    @Test
    void aLockWriteThatFailedAfterLandingIsGivenBackSoTheSessionIsNotBusyForTheWholeLease() {
        // A replication timeout: the write stays where it landed, the caller gets the exception.
        AtomicBoolean failNext = new AtomicBoolean(true);
        Cache<String, String> timesOutAfterWriting = new AbstractDelegatingCache<>(lockCache) {
            @Override
            public String putIfAbsent(String key, String value, long lifespan, TimeUnit unit) {
                String previous = super.putIfAbsent(key, value, lifespan, unit);
                if (failNext.getAndSet(false)) {
                    throw new TimeoutException("ISPN000476: Timed out waiting for responses (this test)");
                }
                return previous;
            }
        };
        SessionLocks locks = new SessionLocks(timesOutAfterWriting, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());

        assertThatThrownBy(() -> locks.acquire(KEY, System.nanoTime())).isInstanceOf(SessionUnavailableException.class)
                .hasMessageContaining("cannot lock the session");
        await("the failed write's lock given back").atMost(Duration.ofSeconds(5)).until(() -> !lockCache.containsKey(KEY));

        LockLease next = locks.acquire(KEY, System.nanoTime());
        assertThat(lockCache.get(KEY)).as("the next request gets the lock at once").isEqualTo(next.token());
        locks.release(next);
        assertThat(lockCache.containsKey(KEY)).isFalse();
    }

    @Test
    void aLockHeldByAnotherRequestIsNeverRemovedByAFailedWrite() {
        SessionLocks other = new SessionLocks(lockCache, "n2", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());
        LockLease held = other.acquire(KEY, System.nanoTime());
        Cache<String, String> failsBeforeWriting = new AbstractDelegatingCache<>(lockCache) {
            @Override
            public String putIfAbsent(String key, String value, long lifespan, TimeUnit unit) {
                throw new TimeoutException("ISPN000476: Timed out waiting for responses (this test)");
            }
        };
        SessionLocks locks = new SessionLocks(failsBeforeWriting, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());

        assertThatThrownBy(() -> locks.acquire(KEY, System.nanoTime())).isInstanceOf(SessionUnavailableException.class);
        locks.owed().retryFailed();
        assertThat(lockCache.get(KEY)).as("the other request's lock").isEqualTo(held.token());
    }

    @Test
    void aLockWriteThatAnswersWithTheRequestsOwnTokenIsTaken() {
        // As a write sent again after a view change would, if it answered with the entry its first
        // try left (Infinispan means it to answer null then).
        Cache<String, String> retriedAfterLanding = new AbstractDelegatingCache<>(lockCache) {
            @Override
            public String putIfAbsent(String key, String value, long lifespan, TimeUnit unit) {
                super.putIfAbsent(key, value, lifespan, unit);
                return super.putIfAbsent(key, value, lifespan, unit);
            }
        };
        SessionLocks locks = new SessionLocks(retriedAfterLanding, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());

        LockLease lease = locks.acquire(KEY, System.nanoTime());

        assertThat(lockCache.get(KEY)).as("the lock, held by the request").isEqualTo(lease.token());
        locks.release(lease);
        assertThat(lockCache.containsKey(KEY)).isFalse();
    }

    @Test
    void aLockInThisNodesNameThatNoneOfItsRequestsHoldsIsTakenAtOnceNotAfterTheWaitBudget() {
        SessionLocks locks = new SessionLocks(lockCache, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30), local.gate());
        LockLease given = locks.acquire(KEY, System.nanoTime());
        locks.release(given);
        // A merge restores the entry from a member that was cut off before the release reached it.
        lockCache.put(KEY, given.token());

        long start = System.nanoTime();
        LockLease next = locks.acquire(KEY, start);

        assertThat(lockCache.get(KEY)).as("the lock, held by the next request").isEqualTo(next.token());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited").isLessThan(Duration.ofMillis(500));
    }

    @Test
    void aLockHeldByAnotherRequestOfThisNodeIsNeverTakenFromIt() {
        SessionLocks locks = new SessionLocks(lockCache, "n1", Duration.ofMillis(200), Duration.ofSeconds(30), local.gate());
        LockLease held = locks.acquire(KEY, System.nanoTime());

        assertThatThrownBy(() -> locks.acquire(KEY, System.nanoTime())).isInstanceOf(SessionUnavailableException.class)
                .hasMessageContaining("busy (locked by n1)");
        locks.owed().giveBack(Set.of("n1"));

        assertThat(lockCache.get(KEY)).as("the holding request's lock").isEqualTo(held.token());
    }
}
