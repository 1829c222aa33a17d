package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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
}
