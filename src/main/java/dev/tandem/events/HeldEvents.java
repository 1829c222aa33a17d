package dev.tandem.events;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One channel's held events by id, oldest first: a sorted map from id to {@link HeldEvent} for
 * how a channel's view uses it. Ids mostly arrive in order and leave from the oldest end, so the
 * events sit in a ring of two arrays (ids as primitives, sorted): a new newest event costs O(1), a
 * lookup is a binary search over one contiguous {@code long[]}. A removal shifts the entries
 * between it and the nearer end: a trim's batch (its notices come in any order) moves at most a
 * batch's worth; an id out of order (a hole filled) shifts the newer ones, rare and few.
 * <p>
 * It replaced a {@code TreeMap<Long, HeldEvent>}, whose boxed keys and entries took a pointer
 * chase per level on every publish and every notice (C3b's profile: 2.6 % of the node's CPU, 0.65 %
 * with the ring; {@code bench/side/event-path.md}). Not thread-safe: its {@link ChannelLog} calls
 * it under its own lock.
 */
final class HeldEvents {
    private static final int MIN_CAPACITY = 8;

    private long[] ids = new long[MIN_CAPACITY];
    private HeldEvent[] held = new HeldEvent[MIN_CAPACITY];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The oldest id; the ring must not be empty. */
    long firstId() {
        return idAt(0);
    }

    /** The newest id; the ring must not be empty. */
    long lastId() {
        return idAt(size - 1);
    }

    /** The {@code i}th id, oldest first. */
    long idAt(int i) {
        return ids[slot(i)];
    }

    /** The {@code i}th event, oldest first. */
    HeldEvent eventAt(int i) {
        return held[slot(i)];
    }

    boolean contains(long id) {
        return indexOf(id) >= 0;
    }

    /** The event held under {@code id}, or null. */
    HeldEvent get(long id) {
        int i = indexOf(id);
        return i < 0 ? null : eventAt(i);
    }

    /** Index of the first id greater than {@code id} ({@link #size} when there is none). */
    int indexAfter(long id) {
        int i = indexOf(id);
        return i >= 0 ? i + 1 : -i - 1;
    }

    /** Holds {@code event} under {@code id} unless an event is held there; returns that event, or null. */
    HeldEvent putIfAbsent(long id, HeldEvent event) {
        if (size == 0 || id > lastId()) { // the common case: the channel's next event
            insert(size, id, event);
            return null;
        }
        int i = indexOf(id);
        if (i >= 0) {
            return eventAt(i);
        }
        insert(-i - 1, id, event);
        return null;
    }

    /** Holds {@code event} under {@code id}, in place of any event held there. */
    void put(long id, HeldEvent event) {
        int i = indexOf(id);
        if (i >= 0) {
            held[slot(i)] = event;
        } else {
            insert(-i - 1, id, event);
        }
    }

    /** Removes the event held under {@code id}; returns it, or null. */
    HeldEvent remove(long id) {
        int i = indexOf(id);
        if (i < 0) {
            return null;
        }
        HeldEvent out = eventAt(i);
        if (i < size / 2) { // shift the older ones up: a trim's batch is removed in any order, near the oldest end
            for (int j = i; j > 0; j--) {
                ids[slot(j)] = ids[slot(j - 1)];
                held[slot(j)] = held[slot(j - 1)];
            }
            held[head] = null;
            head = (head + 1) & mask();
        } else {
            for (int j = i; j < size - 1; j++) { // else the newer ones down
                ids[slot(j)] = ids[slot(j + 1)];
                held[slot(j)] = held[slot(j + 1)];
            }
            held[slot(size - 1)] = null;
        }
        size--;
        if (size == 0) {
            head = 0;
        }
        if (ids.length > MIN_CAPACITY && size < ids.length / 4) {
            resize(ids.length / 2);
        }
        return out;
    }

    /** Every id held, oldest first (a copy). */
    List<Long> ids() {
        List<Long> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(idAt(i));
        }
        return out;
    }

    /** The events, oldest first: a live view, read under the same lock as the ring. */
    List<HeldEvent> events() {
        return new AbstractList<>() {
            @Override
            public HeldEvent get(int i) {
                if (i < 0 || i >= size) {
                    throw new IndexOutOfBoundsException(i);
                }
                return eventAt(i);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** Index of {@code id} when held, else {@code -(insertion point) - 1}, as {@link Arrays#binarySearch}. */
    private int indexOf(long id) {
        if (size > 0 && idAt(size - 1) == id) {
            return size - 1; // the newest: what a notice for the event just published asks
        }
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long at = idAt(mid);
            if (at < id) {
                low = mid + 1;
            } else if (at > id) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    private void insert(int i, long id, HeldEvent event) {
        if (size == ids.length) {
            resize(ids.length * 2);
        }
        for (int j = size; j > i; j--) { // out of order: shift the newer ones up
            ids[slot(j)] = ids[slot(j - 1)];
            held[slot(j)] = held[slot(j - 1)];
        }
        ids[slot(i)] = id;
        held[slot(i)] = event;
        size++;
    }

    private void resize(int capacity) {
        long[] newIds = new long[capacity];
        HeldEvent[] newHeld = new HeldEvent[capacity];
        for (int i = 0; i < size; i++) {
            newIds[i] = idAt(i);
            newHeld[i] = eventAt(i);
        }
        ids = newIds;
        held = newHeld;
        head = 0;
    }

    private int slot(int i) {
        return (head + i) & mask();
    }

    private int mask() {
        return ids.length - 1;
    }
}
