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
import org.infinispan.partitionhandling.AvailabilityException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cluster-wide session lock, on a real (local) Infinispan cache. */
class SessionLocksTest {
    private static final String KEY = "session-1";
    private final LocalLockCache local = new LocalLockCache();
    private final Cache<String, String> lockCache = local.cache;

    @AfterEach
    void stopCache() {
        local.close();
    }

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

        SessionLocks.Lease next = locks.acquire(KEY, System.nanoTime());
        assertThat(lockCache.get(KEY)).as("the next request gets the lock at once").isEqualTo(next.token());
        locks.release(next);
        assertThat(lockCache.containsKey(KEY)).isFalse();
    }

    @Test
    void aLockHeldByAnotherRequestIsNeverRemovedByAFailedWrite() {
        SessionLocks other = new SessionLocks(lockCache, "n2", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());
        SessionLocks.Lease held = other.acquire(KEY, System.nanoTime());
        Cache<String, String> failsBeforeWriting = new AbstractDelegatingCache<>(lockCache) {
            @Override
            public String putIfAbsent(String key, String value, long lifespan, TimeUnit unit) {
                throw new TimeoutException("ISPN000476: Timed out waiting for responses (this test)");
            }
        };
        SessionLocks locks = new SessionLocks(failsBeforeWriting, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());

        assertThatThrownBy(() -> locks.acquire(KEY, System.nanoTime())).isInstanceOf(SessionUnavailableException.class);
        locks.retryPendingReleases();
        assertThat(lockCache.get(KEY)).as("the other request's lock").isEqualTo(held.token());
    }

    @Test
    void aLeftMembersLockTheCacheCouldNotRemoveAtTheViewChangeGoesOnceTheCacheIsAvailable() {
        SessionLocks leftMember = new SessionLocks(lockCache, "n2", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());
        leftMember.acquire(KEY, System.nanoTime());
        // A merge's view comes while the cache is still degraded: every write is refused at once.
        AtomicBoolean degraded = new AtomicBoolean(true);
        Cache<String, String> degradedForAWhile = new AbstractDelegatingCache<>(lockCache) {
            @Override
            public boolean remove(Object key, Object value) {
                if (degraded.get()) {
                    throw new AvailabilityException("ISPN000306: Key is not available (this test)");
                }
                return super.remove(key, value);
            }
        };
        SessionLocks locks = new SessionLocks(degradedForAWhile, "n1", Duration.ofSeconds(1), Duration.ofSeconds(30),
                local.gate());

        locks.giveBackOwed(Set.of("n1"));
        assertThat(lockCache.containsKey(KEY)).as("the left member's lock, while the cache is degraded").isTrue();
        assertThat(locks.owesLocks()).isTrue();

        degraded.set(false);
        locks.giveBackOwedWhenAvailable(Set.of("n1"));
        assertThat(lockCache.containsKey(KEY)).as("the left member's lock, once the cache is available").isFalse();
        assertThat(locks.owesLocks()).isFalse();
    }
}
