package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.Pause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Requests that only read a session share its lock on a node; writes still hold it alone. On a real (local) Infinispan cache. */
class SharedReadsTest extends LockLineFixture {
    /** One node's line for the session and its shared reads, wired as SessionLayer wires them. */
    private record Node(SessionLockQueue line, SharedReads reads) {
        LockLease acquire(String key) {
            return line.acquire(key);
        }

        void release(LockLease lease) {
            line.release(lease);
        }

        LockLease acquireShared(String key) {
            return reads.acquire(key);
        }

        void releaseShared(LockLease lease) {
            reads.release(lease);
        }

        int waiting(String key) {
            return line.waiting(key);
        }
    }

    private Node node(String name, Duration wait, Duration passFor, Duration yieldFor) {
        SessionLockQueue queue = line(name, wait, passFor, yieldFor);
        return new Node(queue, new SharedReads(queue));
    }

    private Node queue(Duration passFor) {
        return node("n1", Duration.ofSeconds(3), passFor, Duration.ofMillis(6));
    }

    @Test
    void readsOfOneSessionHoldItTogetherUnderOneLockTakenOnce() {
        Node queue = queue(Duration.ofSeconds(2));
        List<String> seen = new ArrayList<>();
        lockCache.addListener(new SessionLockQueueTest.LockWrites(seen));
        LockLease first = queue.acquireShared(KEY);
        LockLease second = queue.acquireShared(KEY);
        LockLease third = queue.acquireShared(KEY);
        assertThat(second.token()).as("the same lock").isEqualTo(first.token());
        assertThat(third.token()).isEqualTo(first.token());
        // Each counted from the lock's writing at the latest, as a lock passed on is.
        long entryAge = first.entryAgeNanos(); // read first: the hold, read after it, can only be longer
        assertThat(third.heldNanos()).isGreaterThanOrEqualTo(entryAge - TimeUnit.MILLISECONDS.toNanos(1));
        queue.releaseShared(second);
        queue.releaseShared(first);
        assertThat(lockCache.get(KEY)).as("still held by the last reader").isEqualTo(first.token());
        queue.releaseShared(third);
        assertThat(seen).as("lock cache writes while reading (before and after each)").isNotEmpty()
                .containsOnly("CACHE_ENTRY_CREATED " + KEY);
        assertNothingLeft(queue);
    }

    @Test
    void aWriteWaitsForTheReadsBeforeItAndReadsAfterItWaitForTheWrite() throws Exception {
        Node queue = queue(Duration.ofSeconds(2));
        LockLease reading = queue.acquireShared(KEY);
        Future<LockLease> write = threads.submit(() -> queue.acquire(KEY));
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.waiting(KEY) == 1);
        Future<LockLease> laterRead = threads.submit(() -> queue.acquireShared(KEY));
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.waiting(KEY) == 2);
        assertThat(write.isDone()).as("the write waits for the read").isFalse();
        assertThat(laterRead.isDone()).as("a read arriving after the write waits for it").isFalse();

        queue.releaseShared(reading);
        LockLease writing = write.get(5, TimeUnit.SECONDS);
        assertThat(writing.token()).as("passed on to the write").isEqualTo(reading.token());
        assertThat(laterRead.isDone()).as("the read waits while the write holds the session").isFalse();

        queue.release(writing);
        LockLease read = laterRead.get(5, TimeUnit.SECONDS);
        assertThat(read.token()).isEqualTo(reading.token());
        queue.releaseShared(read);
        assertNothingLeft(queue);
    }

    @Test
    void readsStopJoiningALockTooOldToPassOnAndTheNextGroupTakesItAfresh() throws Exception {
        Node queue = queue(Duration.ofMillis(50));
        LockLease first = queue.acquireShared(KEY);
        Pause.fully(Duration.ofMillis(60)); // the lock's entry is now older than 50 ms
        Future<LockLease> late = threads.submit(() -> queue.acquireShared(KEY));
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.waiting(KEY) == 1);
        assertThat(late.isDone()).as("does not join a lock too old to pass on").isFalse();
        queue.releaseShared(first);
        LockLease next = late.get(5, TimeUnit.SECONDS);
        assertThat(next.token()).as("taken afresh from the cluster").isNotEqualTo(first.token());
        queue.releaseShared(next);
        assertNothingLeft(queue);
    }

    @Test
    void aReadThatWaitsPastTheBudgetIsRefusedAndLeavesNothingBehind() {
        Node queue = node("n1", Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(6));
        LockLease writing = queue.acquire(KEY);
        assertThatThrownBy(() -> queue.acquireShared(KEY)).isInstanceOf(SessionUnavailableException.class)
                .hasMessageContaining("busy");
        queue.release(writing);
        LockLease reading = queue.acquireShared(KEY);
        assertThatThrownBy(() -> queue.acquire(KEY)).isInstanceOf(SessionUnavailableException.class)
                .hasMessageContaining("busy");
        queue.releaseShared(reading);
        assertNothingLeft(queue);
    }

    @Test
    void aReadStuckInsideKeepsWritesOutButNotOtherReadsUntilTheLockIsTooOldToJoin() throws Exception {
        Node queue = node("n1", Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(6));
        LockLease stuck = queue.acquireShared(KEY);
        LockLease beside = queue.acquireShared(KEY);
        queue.releaseShared(beside);
        assertThatThrownBy(() -> queue.acquire(KEY)).as("a write while the read is stuck")
                .isInstanceOf(SessionUnavailableException.class).hasMessageContaining("busy");
        assertThatThrownBy(() -> queue.acquireShared(KEY)).as("a read once the lock is older than 100 ms")
                .isInstanceOf(SessionUnavailableException.class).hasMessageContaining("busy");
        queue.releaseShared(stuck);
        queue.release(queue.acquire(KEY));
        assertNothingLeft(queue);
    }

    @Test
    void manyReadsAndWritesOnOneSessionNeverOverlapAWriteAndLeaveNoLockBehind() throws Exception {
        // A short budget and passing time, so some give up and some locks go back mid-line.
        Node queue = node("n1", Duration.ofMillis(60), Duration.ofMillis(5), Duration.ofMillis(1));
        AtomicInteger readers = new AtomicInteger();
        AtomicInteger writers = new AtomicInteger();
        AtomicInteger mostReaders = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        inParallel(16, 200, () -> {
            boolean write = ThreadLocalRandom.current().nextInt(4) == 0;
            LockLease lease;
            try {
                lease = write ? queue.acquire(KEY) : queue.acquireShared(KEY);
            } catch (SessionUnavailableException e) {
                refused.incrementAndGet();
                return;
            }
            if (write) {
                if (writers.incrementAndGet() != 1 || readers.get() != 0) {
                    overlaps.incrementAndGet();
                }
            } else {
                mostReaders.accumulateAndGet(readers.incrementAndGet(), Math::max);
                if (writers.get() != 0) {
                    overlaps.incrementAndGet();
                }
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            (write ? writers : readers).decrementAndGet();
            done.incrementAndGet();
            if (write) {
                queue.release(lease);
            } else {
                queue.releaseShared(lease);
            }
        });
        assertThat(overlaps.get()).as("a write beside another request").isZero();
        assertThat(done.get() + refused.get()).isEqualTo(16 * 200);
        assertThat(done.get()).isPositive();
        assertThat(mostReaders.get()).as("most reads at once").isGreaterThan(1);
        assertNothingLeft(queue);
    }

    @Test
    void anotherNodesWriteGetsInDespiteAStreamOfReadsHere() throws Exception {
        Duration passFor = Duration.ofMillis(50);
        Node busy = node("n1", Duration.ofSeconds(3), passFor, Duration.ofMillis(6));
        SessionLockQueue other = node("n2", Duration.ofSeconds(3), passFor, Duration.ofMillis(6)).line();
        AtomicInteger reads = new AtomicInteger();
        assertAnotherNodeGetsIn(() -> {
            LockLease lease = busy.acquireShared(KEY);
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
            reads.incrementAndGet();
            busy.releaseShared(lease);
        }, () -> reads.get() > 100, other);
    }

    private void assertNothingLeft(Node node) {
        assertNothingLeft(node.line());
    }
}
