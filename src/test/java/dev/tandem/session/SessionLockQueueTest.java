package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.infinispan.Cache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One node's line for a session's lock, on a real (local) Infinispan cache. */
class SessionLockQueueTest {
    private static final String KEY = "session-1";
    private LocalLockCache local;
    private Cache<String, String> lockCache;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void startCache() {
        local = new LocalLockCache();
        lockCache = local.cache;
    }

    @AfterEach
    void stopCache() {
        threads.shutdownNow();
        local.close();
    }

    private SessionLockQueue queue(Duration wait, Duration passFor, Duration yieldFor) {
        ViewGate gate = local.gate();
        SessionLocks locks = new SessionLocks(lockCache, "n1", wait, Duration.ofSeconds(30), gate);
        return new SessionLockQueue(locks, passFor, yieldFor);
    }

    @Test
    void aLockNobodyOnThisNodeWaitsForGoesBackToTheCluster() {
        SessionLockQueue queue = queue(Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofMillis(6));
        SessionLocks.Lease lease = queue.acquire(KEY);
        assertThat(lockCache.get(KEY)).isEqualTo(lease.token());
        queue.release(lease);
        assertNothingLeft(queue);
    }

    @Test
    void theNextRequestInLineGetsTheLockPassedOnWithoutItLeavingTheCluster() throws Exception {
        SessionLockQueue queue = queue(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(6));
        SessionLocks.Lease first = queue.acquire(KEY);
        Future<SessionLocks.Lease> second = waitingBehind(queue);
        List<String> seen = new ArrayList<>();
        lockCache.addListener(new LockWrites(seen));
        queue.release(first);
        SessionLocks.Lease passed = second.get(5, TimeUnit.SECONDS);
        assertThat(passed.token()).isEqualTo(first.token());
        assertThat(seen).as("lock cache writes while passing on").isEmpty();
        // Counted from the entry's writing, not from the second request's own start.
        assertThat(passed.heldNanos()).isGreaterThanOrEqualTo(first.entryAgeNanos() - TimeUnit.MILLISECONDS.toNanos(1));
        queue.release(passed);
        assertThat(lockCache.containsKey(KEY)).isFalse();
    }

    @Test
    void aLockOlderThanThePassingTimeGoesBackToTheClusterAndTheNextAsksAfterTheYield() throws Exception {
        Duration yield = Duration.ofMillis(150);
        SessionLockQueue queue = queue(Duration.ofSeconds(3), Duration.ofMillis(50), yield);
        SessionLocks.Lease first = queue.acquire(KEY);
        Future<SessionLocks.Lease> second = waitingBehind(queue);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(60)); // the entry is now older than 50 ms
        long released = System.nanoTime();
        queue.release(first);
        assertThat(lockCache.containsKey(KEY)).as("given back at once").isFalse();
        SessionLocks.Lease next = second.get(5, TimeUnit.SECONDS);
        assertThat(next.token()).isNotEqualTo(first.token());
        assertThat(next.entryNanos() - released).isGreaterThanOrEqualTo(yield.toNanos());
        queue.release(next);
    }

    @Test
    void aRequestThatWaitsPastTheBudgetIsRefusedAndLeavesNothingBehind() {
        SessionLockQueue queue = queue(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(6));
        SessionLocks.Lease held = queue.acquire(KEY);
        assertThatThrownBy(() -> queue.acquire(KEY)).isInstanceOf(SessionUnavailableException.class)
                .hasMessageContaining("busy");
        queue.release(held);
        assertNothingLeft(queue);
    }

    @Test
    void manyRequestsOnOneSessionHoldItOneAtATimeAndLeaveNoLockBehind() throws Exception {
        // A short budget and passing time, so some give up and some locks go back mid-line.
        SessionLockQueue queue = queue(Duration.ofMillis(40), Duration.ofMillis(5), Duration.ofMillis(1));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger held = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            clients.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 200; i++) {
                    SessionLocks.Lease lease;
                    try {
                        lease = queue.acquire(KEY);
                    } catch (SessionUnavailableException e) {
                        refused.incrementAndGet();
                        continue;
                    }
                    if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                    inside.decrementAndGet();
                    held.incrementAndGet();
                    queue.release(lease);
                }
            }, threads));
        }
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(overlaps.get()).as("holders at once").isZero();
        assertThat(held.get() + refused.get()).isEqualTo(16 * 200);
        assertThat(held.get()).isPositive();
        assertNothingLeft(queue);
    }

    @Test
    void aNodeWithALongLineStillLetsAnotherNodesRequestsIn() throws Exception {
        // Two nodes' lock tables on one cache: n1 always has a line, n2 asks now and then.
        Duration passFor = Duration.ofMillis(50);
        SessionLockQueue busy = queue(Duration.ofSeconds(3), passFor, Duration.ofMillis(6));
        SessionLocks otherLocks = new SessionLocks(lockCache, "n2", Duration.ofSeconds(3), Duration.ofSeconds(30),
                local.gate());
        SessionLockQueue other = new SessionLockQueue(otherLocks, passFor, Duration.ofMillis(6));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger busyHeld = new AtomicInteger();
        List<CompletableFuture<Void>> line = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            line.add(CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    SessionLocks.Lease lease = busy.acquire(KEY);
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
                    busyHeld.incrementAndGet();
                    busy.release(lease);
                }
            }, threads));
        }
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> busy.waiting(KEY) > 0);
            long slowest = 0;
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                SessionLocks.Lease lease = other.acquire(KEY); // refused after 3 s if n1 never let go
                slowest = Math.max(slowest, System.nanoTime() - t0);
                other.release(lease);
            }
            assertThat(Duration.ofNanos(slowest)).as("n2's longest wait").isLessThan(Duration.ofSeconds(1));
        } finally {
            running.set(false);
            CompletableFuture.allOf(line.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        assertThat(busyHeld.get()).isPositive();
        assertThat(lockCache.containsKey(KEY)).isFalse();
    }

    /** No lock in the cluster and no line on the node. */
    private void assertNothingLeft(SessionLockQueue queue) {
        assertThat(lockCache.containsKey(KEY)).as("lock left behind").isFalse();
        assertThat(queue.lines()).as("lines left").isZero();
    }

    /** A second request for the session, in line behind the one holding it. */
    private Future<SessionLocks.Lease> waitingBehind(SessionLockQueue queue) {
        Future<SessionLocks.Lease> waiter = threads.submit(() -> queue.acquire(KEY));
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.waiting(KEY) == 1);
        assertThat(waiter.isDone()).as("waiting while the lock is held").isFalse();
        return waiter;
    }

    /** Records every write to the lock cache. */
    @org.infinispan.notifications.Listener
    public static final class LockWrites {
        private final List<String> seen;

        LockWrites(List<String> seen) {
            this.seen = seen;
        }

        @org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated
        @org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved
        @org.infinispan.notifications.cachelistener.annotation.CacheEntryModified
        public void written(org.infinispan.notifications.cachelistener.event.CacheEntryEvent<String, String> e) {
            synchronized (seen) {
                seen.add(e.getType() + " " + e.getKey());
            }
        }
    }
}
