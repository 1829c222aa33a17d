package dev.tandem.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's view of one channel's replay buffer, fed by the replicated cache's listener, and
 * the clients waiting on it here.
 *
 * <p>Events of one channel can be applied on this node slightly out of id order (each id is its
 * own cache entry, decided on that entry's primary owner), so readers see events only up to
 * {@link #readable}: the end of the run without holes. A hole still open after {@code holeWait}
 * (its publisher and the entry's owner died together) is skipped, so one lost write never stalls
 * a channel.
 *
 * <p>Readers see the newest {@code capacity} events, and of those no more than {@code maxWeight}
 * (an estimate of the heap the events hold, {@link EventBudget#weightOf}): a channel of large events
 * keeps fewer of them. The cache may hold a few more for a moment: the ones beyond are removed in
 * batches ({@link ChannelTrim}), not one replicated remove per publish.
 */
final class ChannelLog {
    /** Thrown when a cursor points before the oldest event kept (the newest {@code capacity}). */
    static final class Expired extends Exception {
        final long oldest;

        Expired(long oldest) {
            super(null, null, false, false);
            this.oldest = oldest;
        }
    }

    private final HeldEvents events = new HeldEvents();
    private final ChannelWaiters waiters = new ChannelWaiters();
    /**
     * Each event as this node's streams send it, formatted once for all of them; made for the
     * first stream, since most channels never have one here.
     */
    private volatile Map<Long, byte[]> sse;
    private final ChannelWeights weights;
    private final ChannelTrim trim;
    private long readable = -1;
    private long holeSince;

    ChannelLog(int capacity, long maxWeight, AtomicLong nodeWeight) {
        this.weights = new ChannelWeights(nodeWeight);
        this.trim = new ChannelTrim(capacity, maxWeight, weights);
    }

    /**
     * Adds an event of that weight, created or changed in the cache; true when readers can now
     * see more than before.
     */
    synchronized boolean add(Event e, long startHint, int eventWeight) {
        if (readable < 0) {
            readable = Math.min(e.id(), startHint) - 1;
        }
        return hold(e, eventWeight) && advance(System.nanoTime());
    }

    /** True once readers have a place to start from: the channel's anchor matters no more here. */
    synchronized boolean started() {
        return readable >= 0;
    }

    /** Adds an event read from the cache's contents (any order); {@link #settle} follows. */
    synchronized void load(Event e, int eventWeight) {
        hold(e, eventWeight);
    }

    /**
     * Holding the lock: holds the cache's copy of an event; true when its id is new here. The
     * cache's copy wins over one held under the same id: after a partition's merge, the
     * majority's event replaces one this side numbered but never had confirmed; after a failed
     * write is completed, the event its primary owner kept replaces one that reached only this
     * member (EventClaims).
     */
    private boolean hold(Event e, int eventWeight) {
        HeldEvent held = events.putIfAbsent(e.id(), new HeldEvent(e, eventWeight));
        if (held == null) {
            weights.add(eventWeight, e.time());
            return true;
        }
        if (!Objects.equals(held.event().uid(), e.uid())) {
            events.put(e.id(), new HeldEvent(e, eventWeight));
            forgetFormatted(e.id());
            weights.remove(held.weight());
            weights.add(eventWeight, e.time());
        }
        return false;
    }

    /** A topology change is bringing entries: an open hole gets its whole wait again from now. */
    synchronized void restartHoleWait(long now) {
        if (holeSince != 0) {
            holeSince = now;
        }
    }

    /** After loading: readers start at the oldest event held; true when they can now see more. */
    synchronized boolean settle() {
        if (events.isEmpty()) {
            return false;
        }
        if (readable < events.firstId() - 1) {
            readable = events.firstId() - 1;
        }
        return advance(System.nanoTime());
    }

    /**
     * The event as an SSE chunk in UTF-8, formatted and encoded on first use and shared by every
     * stream of the channel here: a stream sends these very bytes, without a copy of its own.
     */
    byte[] sse(Event e, java.util.function.Function<Event, String> format) {
        Map<Long, byte[]> formatted = sse;
        byte[] bytes = formatted == null ? null : formatted.get(e.id());
        if (bytes != null) {
            return bytes;
        }
        bytes = format.apply(e).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        synchronized (this) {
            if (events.contains(e.id())) { // not once it left the buffer
                if (sse == null) {
                    sse = new ConcurrentHashMap<>();
                }
                sse.putIfAbsent(e.id(), bytes);
            }
        }
        return bytes;
    }

    synchronized void remove(long id) {
        HeldEvent held = events.remove(id);
        forgetFormatted(id);
        if (held != null) {
            weights.remove(held.weight());
        }
        if (!events.isEmpty() && readable < events.firstId() - 1) {
            readable = events.firstId() - 1;
        }
    }

    /** Holding the lock: the event's formatted bytes go with it. */
    private void forgetFormatted(long id) {
        if (sse != null) {
            sse.remove(id);
        }
    }

    /** Skips a hole that stayed open too long; true when readers can now see more. */
    synchronized boolean skipStaleHole(long now, long holeWaitNanos) {
        if (holeSince == 0 || now - holeSince < holeWaitNanos) {
            return false;
        }
        int next = events.indexAfter(readable);
        if (next == events.size()) {
            holeSince = 0;
            return false;
        }
        readable = events.idAt(next) - 1;
        return advance(now);
    }

    synchronized boolean hasHole() {
        return holeSince != 0;
    }

    private boolean advance(long now) {
        long before = readable;
        int next = events.indexAfter(readable);
        while (next < events.size() && events.idAt(next) == readable + 1) {
            readable++;
            next++;
        }
        holeSince = next == events.size() ? 0 : (holeSince == 0 ? now : holeSince);
        return readable > before;
    }

    /** The id of the newest readable event (0 when there is none). */
    synchronized long last() {
        return Math.max(0, readable);
    }

    /** The weight of the events held here. */
    synchronized long weight() {
        return weights.total();
    }

    /** The newest event's publish time (epoch ms; 0 when none was held): how long the channel has been idle. */
    synchronized long lastTime() {
        return weights.lastTime();
    }

    /** Every id held here, oldest first. */
    synchronized List<Long> ids() {
        return events.ids();
    }

    /** Next id to try for a publish through this node, or 0 when the channel holds nothing here. */
    synchronized long nextId() {
        return events.isEmpty() ? 0 : events.lastId() + 1;
    }

    /**
     * The ids beyond what the channel keeps that this node has not handed out for removal yet
     * ({@link ChannelTrim#toTrim}). The caller removes them from the cache in one command. Until
     * their removal comes back through the cache's listener, readers no longer see them and they
     * are not handed out again, unless the removal failed ({@link #trimFailed}).
     */
    synchronized List<Long> toTrim(int batch) {
        return trim.toTrim(events, batch);
    }

    /** A removal handed out by {@link #toTrim} failed: its ids may be handed out again. */
    synchronized void trimFailed() {
        trim.failed();
    }

    /**
     * Readable events after the cursor, oldest first. Cursor 0 means "from the oldest kept"; a
     * cursor before the oldest kept (its events were dropped, or are beyond capacity and on their
     * way out) is {@link Expired}.
     */
    synchronized List<Event> after(long cursor, int max) throws Expired {
        if (events.isEmpty() || readable < 0) {
            return List.of();
        }
        long oldest = trim.oldestKept(events);
        if (cursor != 0 && cursor < oldest - 1) {
            throw new Expired(oldest);
        }
        long from = Math.max(cursor, oldest - 1);
        if (from >= readable) {
            return List.of(); // nothing new (or the client saw a node that is ahead of this one)
        }
        List<Event> out = new ArrayList<>();
        for (int i = events.indexAfter(from); i < events.size() && events.idAt(i) <= readable && out.size() < max; i++) {
            out.add(events.eventAt(i).event());
        }
        return out;
    }

    synchronized boolean isIdle() {
        return events.isEmpty() && waiters.isEmpty();
    }

    void subscribe(Waiter w) {
        waiters.add(w);
    }

    void unsubscribe(Waiter w) {
        waiters.remove(w);
    }

    Set<Waiter> waiters() {
        return waiters.all();
    }
}
