package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A node's ordered view of one channel: readers never see past a hole until it fills or goes stale. */
class ChannelLogTest {
    private static Event e(long id) {
        return new Event(id, "room:t", "message", "n1", 0, null, "u" + id);
    }

    /** A channel held by count only: its events weigh nothing. */
    private static ChannelLog byCount(int capacity) {
        return new ChannelLog(capacity, Long.MAX_VALUE, new AtomicLong());
    }

    private static List<Long> ids(List<Event> events) {
        return events.stream().map(Event::id).toList();
    }

    @Test
    void eventsAppliedOutOfOrderAreReadInIdOrderOnceTheHoleFills() throws Exception {
        ChannelLog log = byCount(1000);
        assertThat(log.add(e(100), 100, 0)).isTrue();
        assertThat(log.add(e(102), 100, 0)).as("102 waits for 101").isFalse();
        assertThat(ids(log.after(0, 10))).containsExactly(100L);
        assertThat(log.add(e(101), 100, 0)).isTrue();
        assertThat(ids(log.after(100, 10))).containsExactly(101L, 102L);
        assertThat(log.last()).isEqualTo(102);
        assertThat(log.nextId()).isEqualTo(103);
    }

    @Test
    void onlyTheFirstEventsStartHintPlacesTheChannelAndTheLogSaysWhenItHasStarted() throws Exception {
        ChannelLog log = byCount(1000);
        log.load(e(103), 0);
        assertThat(log.started()).as("loaded, not settled").isFalse();

        assertThat(log.add(e(102), 101, 0)).as("101, the anchor, not here yet").isFalse();
        assertThat(log.started()).isTrue();
        assertThat(log.add(e(104), 104, 0)).as("a later hint changes nothing").isFalse();
        assertThat(log.add(e(101), 101, 0)).isTrue();
        assertThat(ids(log.after(0, 10))).containsExactly(101L, 102L, 103L, 104L);
    }

    @Test
    void anEventChangedInTheCacheReplacesTheOneHeldUnderItsIdAndTheSameOneChangesNothing() throws Exception {
        // A failed write completed through its primary owner (EventClaims) reaches the members as a change.
        ChannelLog log = byCount(1000);
        log.add(e(100), 100, 0);
        Event decided = new Event(100, "room:t", "message", "n2", 0, null, "decided");
        assertThat(log.add(decided, 100, 0)).as("nothing new to read").isFalse();
        assertThat(log.after(0, 10)).containsExactly(decided);
        assertThat(log.add(decided, 100, 0)).isFalse();
        assertThat(log.after(0, 10)).containsExactly(decided);
        assertThat(log.nextId()).isEqualTo(101);
    }

    @Test
    void theNextIdFollowsTheHighestIdHeldThroughLoadsAndRemovals() {
        ChannelLog log = byCount(1000);
        assertThat(log.nextId()).as("nothing held").isEqualTo(0);
        log.load(e(7), 0);
        log.load(e(5), 0);
        assertThat(log.nextId()).isEqualTo(8);
        log.add(e(9), 5, 0);
        assertThat(log.nextId()).isEqualTo(10);
        log.remove(9);
        assertThat(log.nextId()).as("the newest removed: the one before it").isEqualTo(8);
        log.remove(5);
        assertThat(log.nextId()).as("an older one removed").isEqualTo(8);
        log.remove(7);
        assertThat(log.nextId()).as("empty again").isEqualTo(0);
        log.add(e(3), 3, 0);
        assertThat(log.nextId()).as("a lower id after emptying").isEqualTo(4);
    }

    @Test
    void aHoleStillOpenAfterTheWaitIsSkipped() throws Exception {
        ChannelLog log = byCount(1000);
        log.add(e(1), 1, 0);
        log.add(e(3), 1, 0);
        long now = System.nanoTime();
        assertThat(log.skipStaleHole(now, 2_000_000_000L)).as("not yet").isFalse();
        assertThat(log.skipStaleHole(now + 3_000_000_000L, 2_000_000_000L)).isTrue();
        assertThat(ids(log.after(1, 10))).containsExactly(3L);
        assertThat(log.hasHole()).isFalse();
    }

    @Test
    void aCursorBeforeTheOldestKeptEventIsExpiredAndZeroReadsFromTheOldestKept() throws Exception {
        ChannelLog log = byCount(3);
        for (long id = 10; id <= 14; id++) {
            log.add(e(id), 10, 0);
        }
        assertThatThrownBy(() -> log.after(10, 10)).as("10 and 11 are beyond capacity, removed or not")
                .isInstanceOf(ChannelLog.Expired.class);
        assertThat(ids(log.after(11, 10))).containsExactly(12L, 13L, 14L);
        assertThat(ids(log.after(0, 2))).containsExactly(12L, 13L);
        log.remove(10);
        log.remove(11);
        assertThat(ids(log.after(0, 10))).as("the same once they are removed").containsExactly(12L, 13L, 14L);
        assertThat(log.after(99, 10)).as("a cursor ahead (another node is ahead) just waits").isEmpty();
    }

    @Test
    void theEventsBeyondCapacityAreHandedOutForRemovalInBatchesAndOnlyOnce() {
        ChannelLog log = byCount(3);
        for (long id = 1; id <= 5; id++) {
            log.add(e(id), 1, 0);
        }
        assertThat(log.toTrim(3)).as("two beyond capacity, fewer than a batch").isEmpty();
        log.add(e(6), 1, 0);
        assertThat(log.toTrim(3)).containsExactly(1L, 2L, 3L);
        log.add(e(7), 1, 0);
        assertThat(log.toTrim(1)).as("1-3 are on their way out").containsExactly(4L);
        log.trimFailed();
        assertThat(log.toTrim(1)).as("a failed removal is handed out again").containsExactly(1L, 2L, 3L, 4L);
        for (long id = 1; id <= 4; id++) {
            log.remove(id);
        }
        assertThat(log.toTrim(1)).isEmpty();
    }

    @Test
    void eventsLoadedFromTheCacheInAnyOrderAreReadFromTheOldest() throws Exception {
        ChannelLog log = byCount(1000);
        for (long id : new long[] {7, 5, 6, 9}) {
            log.load(e(id), 0);
        }
        log.settle();
        assertThat(ids(log.after(0, 10))).containsExactly(5L, 6L, 7L);
    }

    @Test
    void aChannelOfLargeEventsShowsOnlyItsNewestWithinItsWeightAndHandsTheRestOutForRemoval() throws Exception {
        AtomicLong node = new AtomicLong();
        ChannelLog log = new ChannelLog(1000, 1000, node);
        for (long id = 1; id <= 10; id++) {
            log.add(e(id), 1, 300);
        }
        assertThat(node.get()).as("the node's total counts every event held").isEqualTo(3000);
        assertThat(ids(log.after(0, 100))).as("three of 300 fit in 1,000").containsExactly(8L, 9L, 10L);
        assertThatThrownBy(() -> log.after(5, 100)).isInstanceOf(ChannelLog.Expired.class);
        assertThat(log.toTrim(32)).as("down to seven eighths (875) at once, whatever the batch")
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(log.toTrim(32)).as("on their way out").isEmpty();
        for (long id = 1; id <= 8; id++) {
            log.remove(id);
        }
        assertThat(log.weight()).isEqualTo(600);
        assertThat(node.get()).isEqualTo(600);
        assertThat(ids(log.after(0, 100))).containsExactly(9L, 10L);
    }

    @Test
    void aSingleEventHeavierThanTheChannelIsStillKept() throws Exception {
        ChannelLog log = new ChannelLog(1000, 100, new AtomicLong());
        log.add(e(1), 1, 500);
        assertThat(ids(log.after(0, 10))).containsExactly(1L);
        assertThat(log.toTrim(1)).as("the newest event always stays").isEmpty();
    }

    @Test
    void theNodesTotalFollowsAddsReplacementsAndRemovalsOnEveryChannel() {
        AtomicLong node = new AtomicLong();
        ChannelLog a = new ChannelLog(1000, Long.MAX_VALUE, node);
        ChannelLog b = new ChannelLog(1000, Long.MAX_VALUE, node);
        a.add(e(1), 1, 100);
        a.add(e(1), 1, 100);
        b.load(e(1), 50);
        assertThat(node.get()).as("an id held already counts once").isEqualTo(150);
        b.load(new Event(1, "room:t", "message", "n2", 0, null, "other"), 70);
        assertThat(node.get()).as("the cache's copy replaced the one held").isEqualTo(170);
        a.remove(1);
        a.remove(1);
        assertThat(node.get()).isEqualTo(70);
        assertThat(a.weight()).isZero();
    }
}
