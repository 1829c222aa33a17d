package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A channel's held events by id: a sorted map, whatever order ids arrive and leave in. */
class HeldEventsTest {
    private static HeldEvent held(long id) {
        return new HeldEvent(new Event(id, "room:t", "message", "n1", 0, null, "u" + id), 1);
    }

    @Test
    void eventsAddedInOrderAndRemovedFromTheOldestEndWrapAroundTheRing() {
        HeldEvents events = new HeldEvents();
        for (long id = 1; id <= 5_000; id++) {
            assertThat(events.putIfAbsent(id, held(id))).isNull();
            if (events.size() > 100) {
                assertThat(events.remove(events.firstId())).isNotNull();
            }
            assertThat(events.size()).isLessThanOrEqualTo(100);
            assertThat(events.firstId()).isEqualTo(Math.max(1, id - 99));
            assertThat(events.lastId()).isEqualTo(id);
        }
        assertThat(events.ids()).hasSize(100).startsWith(4_901L).endsWith(5_000L);
        assertThat(events.events()).extracting(h -> h.event().id()).startsWith(4_901L).endsWith(5_000L);
    }

    @Test
    void aTrimsBatchRemovedInAnyOrderLeavesTheNewestInOrder() {
        HeldEvents events = new HeldEvents();
        for (long id = 1; id <= 1_032; id++) {
            events.putIfAbsent(id, held(id));
        }
        List<Long> batch = new ArrayList<>();
        for (long id = 1; id <= 32; id++) {
            batch.add(id);
        }
        Collections.shuffle(batch, new Random(32));
        batch.forEach(id -> assertThat(events.remove(id)).isNotNull());
        assertThat(events.size()).isEqualTo(1_000);
        assertThat(events.firstId()).isEqualTo(33);
        assertThat(events.lastId()).isEqualTo(1_032);
        List<Long> ids = events.ids();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(ids.get(i)).isEqualTo(33 + i);
        }
    }

    @Test
    void anIdOutOfOrderGoesInItsPlaceAndAHeldOneIsNotReplacedByPutIfAbsent() {
        HeldEvents events = new HeldEvents();
        events.putIfAbsent(10, held(10));
        events.putIfAbsent(12, held(12));
        events.putIfAbsent(11, held(11));
        HeldEvent first = events.get(11);
        assertThat(events.putIfAbsent(11, held(11))).isSameAs(first);
        assertThat(events.get(11)).isSameAs(first);
        events.put(11, held(11));
        assertThat(events.get(11)).as("put replaces").isNotSameAs(first);
        assertThat(events.ids()).containsExactly(10L, 11L, 12L);
        assertThat(events.indexAfter(10)).isEqualTo(1);
        assertThat(events.indexAfter(9)).isEqualTo(0);
        assertThat(events.indexAfter(12)).isEqualTo(3);
        assertThat(events.contains(13)).isFalse();
    }

    @Test
    void anyMixOfAddsPutsAndRemovesReadsLikeASortedMap() {
        Random random = new Random(16);
        for (int round = 0; round < 100; round++) {
            HeldEvents events = new HeldEvents();
            TreeMap<Long, HeldEvent> expected = new TreeMap<>();
            long next = random.nextInt(1_000_000);
            for (int op = 0; op < 400; op++) {
                int kind = random.nextInt(10);
                long id = expected.isEmpty() || kind < 5 ? next++ // the usual: the next id
                        : next - 1 - random.nextInt((int) Math.min(Integer.MAX_VALUE, next - expected.firstKey() + 5));
                if (kind < 7) {
                    HeldEvent h = held(id);
                    assertThat(events.putIfAbsent(id, h)).isSameAs(expected.putIfAbsent(id, h));
                } else if (kind == 7) {
                    HeldEvent h = held(id);
                    events.put(id, h);
                    expected.put(id, h);
                } else {
                    long gone = kind == 8 && !expected.isEmpty() ? expected.firstKey() : id;
                    assertThat(events.remove(gone)).isSameAs(expected.remove(gone));
                }
                assertSame(events, expected, id);
            }
        }
    }

    private static void assertSame(HeldEvents events, TreeMap<Long, HeldEvent> expected, long probe) {
        assertThat(events.size()).isEqualTo(expected.size());
        assertThat(events.isEmpty()).isEqualTo(expected.isEmpty());
        assertThat(events.ids()).containsExactlyElementsOf(expected.keySet());
        assertThat(events.events()).containsExactlyElementsOf(expected.values());
        if (!expected.isEmpty()) {
            assertThat(events.firstId()).isEqualTo(expected.firstKey());
            assertThat(events.lastId()).isEqualTo(expected.lastKey());
        }
        for (long id = probe - 2; id <= probe + 2; id++) {
            assertThat(events.get(id)).isSameAs(expected.get(id));
            assertThat(events.contains(id)).isEqualTo(expected.containsKey(id));
            Map.Entry<Long, HeldEvent> higher = expected.higherEntry(id);
            int after = events.indexAfter(id);
            if (higher == null) {
                assertThat(after).isEqualTo(events.size());
            } else {
                assertThat(events.idAt(after)).isEqualTo(higher.getKey());
                assertThat(events.eventAt(after)).isSameAs(higher.getValue());
            }
        }
    }
}
