package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.Pause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** One node's line for a session's lock, on a real (local) Infinispan cache. */
class SessionLockQueueTest extends LockLineFixture {
    private SessionLockQueue queue(Duration wait, Duration passFor, Duration yieldFor) {
        return node("n1", wait, passFor, yieldFor);
    }

    private SessionLockQueue node(String name, Duration wait, Duration passFor, Duration yieldFor) {
        return line(name, wait, passFor, yieldFor);
    }

    @Test
    void aLockNobodyWaitsForIsKeptForTheNextRequestUntilItsWindowEnds() {
        SessionLockQueue queue = queue(Duration.ofSeconds(3), Duration.ofMillis(300), Duration.ofMillis(6));
        LockLease first = queue.acquire(KEY);
        assertThat(lockCache.get(KEY)).isEqualTo(first.token());
        List<String> seen = new ArrayList<>();
        lockCache.addListener(new LockWrites(seen));
        queue.release(first);
        LockLease next = queue.acquire(KEY);
        assertThat(next.token()).as("the same lock, kept").isEqualTo(first.token());
        queue.release(next);
        assertThat(seen).as("lock cache writes while kept").isEmpty();
        assertNothingLeft(queue); // given back once its entry is 300 ms old
        assertThat(seen).as("then only removed").isNotEmpty().containsOnly("CACHE_ENTRY_REMOVED " + KEY);
    }

    @Test
    void aKeptLockGoesBackAtOnceWhenAnotherNodeAsksForIt() throws Exception {
        // A window far longer than the other node's wait budget: it gets the lock only if asking works.
        SessionLockQueue n1 = queue(Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMillis(6));
        SessionLockQueue n2 = node("n2", Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMillis(6));
        LockLease kept = n1.acquire(KEY);
        n1.release(kept);
        assertThat(lockCache.get(KEY)).as("kept by n1").isEqualTo(kept.token());
        assertN2GetsTheLock(n2);
        // n1 asks back in turn: n2's lock goes back too, and nothing is left once both windows are over.
        n1.release(n1.acquire(KEY));
    }

    @Test
    void aLockInANodesNameThatNoneOfItsRequestsHoldsGoesBackWhenAnotherNodeAsksForIt() throws Exception {
        // Longer than the other node's wait budget: it gets the lock only if the ask frees it.
        SessionLockQueue n1 = queue(Duration.ofSeconds(3), Duration.ofMillis(50), Duration.ofMillis(6));
        SessionLockQueue n2 = node("n2", Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMillis(6));
        LockLease given = n1.acquire(KEY);
        n1.release(given);
        assertNothingLeft(n1);
        // A merge restores the entry from a member that was cut off before the give-back reached it.
        lockCache.put(KEY, given.token(), 30, TimeUnit.SECONDS);

        assertN2GetsTheLock(n2);
    }

    /** Node n2's request gets the session's lock within its wait budget, and gives it back. */
    private void assertN2GetsTheLock(SessionLockQueue n2) {
        LockLease taken = n2.acquire(KEY);
        assertThat(taken.token()).startsWith("n2|");
        n2.release(taken);
    }

    @Test
    void aLockAskedForWhileHeldGoesBackWhenItsRequestEnds() throws Exception {
        Asking two = n2AskingWhileN1Holds();
        assertThat(two.asking.isDone()).as("waiting while n1 holds the lock").isFalse();
        two.n1.release(two.held);
        assertThat(lockCache.get(KEY)).as("not kept: asked for").isNotEqualTo(two.held.token());
        two.assertN2GetsIt();
    }

    @Test
    void aWaiterWhoseAskIsGoneAsksAgain() throws Exception {
        Asking two = n2AskingWhileN1Holds();
        lockCache.remove("wanted:" + KEY); // as when the ask of an earlier wait expires during this one
        await().atMost(Duration.ofSeconds(1)).until(() -> two.n1.locks().asks().wanted(KEY));
        two.n1.release(two.held);
        two.assertN2GetsIt();
    }

    /** n1 holds the session's lock (a window of 30 s) and n2 waits for it, its ask seen by n1. */
    private Asking n2AskingWhileN1Holds() {
        SessionLockQueue n1 = queue(Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMillis(6));
        SessionLockQueue n2 = node("n2", Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMillis(6));
        LockLease held = n1.acquire(KEY);
        Future<LockLease> asking = threads.submit(() -> n2.acquire(KEY));
        await().atMost(Duration.ofSeconds(5)).until(() -> n1.locks().asks().wanted(KEY));
        return new Asking(n1, n2, held, asking);
    }

    private record Asking(SessionLockQueue n1, SessionLockQueue n2, LockLease held, Future<LockLease> asking) {
        void assertN2GetsIt() throws Exception {
            LockLease taken = asking.get(5, TimeUnit.SECONDS);
            assertThat(taken.token()).startsWith("n2|");
            n2.release(taken);
        }
    }

    @Test
    void theNextRequestInLineGetsTheLockPassedOnWithoutItLeavingTheCluster() throws Exception {
        SessionLockQueue queue = queue(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(6));
        LockLease first = queue.acquire(KEY);
        Future<LockLease> second = waitingBehind(queue);
        List<String> seen = new ArrayList<>();
        lockCache.addListener(new LockWrites(seen));
        queue.release(first);
        LockLease passed = second.get(5, TimeUnit.SECONDS);
        assertThat(passed.token()).isEqualTo(first.token());
        assertThat(seen).as("lock cache writes while passing on").isEmpty();
        // Counted from the entry's writing, not from the second request's own start.
        long entryAge = first.entryAgeNanos(); // read first: the hold, read after it, can only be longer
        assertThat(passed.heldNanos()).isGreaterThanOrEqualTo(entryAge - TimeUnit.MILLISECONDS.toNanos(1));
        queue.release(passed);
        assertNothingLeft(queue);
    }

    @Test
    void aLockOlderThanThePassingTimeGoesBackToTheClusterAndTheNextAsksAfterTheYieldWhenAnotherNodeAsked() throws Exception {
        Duration yield = Duration.ofMillis(150);
        assertThat(nanosUntilTakenAgain(yield, true)).isGreaterThanOrEqualTo(yield.toNanos());
    }

    @Test
    void aLockOlderThanThePassingTimeThatNobodyAskedForIsTakenAgainWithoutTheYield() throws Exception {
        Duration yield = Duration.ofSeconds(2);
        assertThat(nanosUntilTakenAgain(yield, false)).as("asked again before the yield was over")
                .isLessThan(yield.toNanos() / 2);
    }

    /**
     * A request holds the lock past the passing time (50 ms) while the next waits behind it, and
     * ends: from its release until the next request's lock entry is written, when another node
     * asked for the lock meanwhile ({@code asked}) or not.
     */
    private long nanosUntilTakenAgain(Duration yield, boolean asked) throws Exception {
        SessionLockQueue queue = queue(Duration.ofSeconds(3), Duration.ofMillis(50), yield);
        LockLease first = queue.acquire(KEY);
        Future<LockLease> second = waitingBehind(queue);
        if (asked) {
            queue.locks().asks().ask(KEY, "n2|asking");
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.locks().asks().wanted(KEY));
        }
        Pause.fully(Duration.ofMillis(60)); // the entry is now older than 50 ms
        long released = System.nanoTime();
        queue.release(first);
        if (asked) {
            assertThat(lockCache.containsKey(KEY)).as("given back at once").isFalse();
        }
        LockLease next = second.get(5, TimeUnit.SECONDS);
        assertThat(next.token()).as("given back, taken afresh").isNotEqualTo(first.token());
        queue.release(next);
        assertNothingLeft(queue);
        return next.entryNanos() - released;
    }

    @Test
    void aRequestsTurnEndsEvenWhenTheLockCacheCanNoLongerBeRead() {
        // Past its window, so ending the turn reads the asks; a stopped cache throws on every read.
        SessionLockQueue queue = queue(Duration.ofSeconds(3), Duration.ofMillis(1), Duration.ofMillis(6));
        LockLease held = queue.acquire(KEY);
        Pause.fully(Duration.ofMillis(5));
        lockCache.stop();
        queue.release(held);
        assertThat(queue.lines()).as("the session's line left behind, its turn taken for good").isZero();
    }

    @Test
    void aRequestThatWaitsPastTheBudgetIsRefusedAndLeavesNothingBehind() {
        SessionLockQueue queue = queue(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(6));
        LockLease held = queue.acquire(KEY);
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
        inParallel(16, 200, () -> {
            LockLease lease;
            try {
                lease = queue.acquire(KEY);
            } catch (SessionUnavailableException e) {
                refused.incrementAndGet();
                return;
            }
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            inside.decrementAndGet();
            held.incrementAndGet();
            queue.release(lease);
        });
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
        SessionLockQueue other = node("n2", Duration.ofSeconds(3), passFor, Duration.ofMillis(6));
        AtomicInteger busyHeld = new AtomicInteger();
        assertAnotherNodeGetsIn(() -> {
            LockLease lease = busy.acquire(KEY);
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
            busyHeld.incrementAndGet();
            busy.release(lease);
        }, () -> busy.waiting(KEY) > 0, other);
        assertThat(busyHeld.get()).isPositive();
    }

    /** A second request for the session, in line behind the one holding it. */
    private Future<LockLease> waitingBehind(SessionLockQueue queue) {
        Future<LockLease> waiter = threads.submit(() -> queue.acquire(KEY));
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
