package dev.tandem.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's ordered view of every channel ({@link ChannelLog}, one each), kept from the event
 * cache's notices, and the clients waiting on it: a new event wakes them. The cluster-wide log and
 * its publishing are {@link EventLog}'s.
 */
final class ChannelViews {
    /** Events kept per channel (the replay buffer), and so the most one answer to a listener carries. */
    static final int CAPACITY = 1000;
    /** A hole in a channel (a write lost with its node) is skipped after this. */
    static final Duration HOLE_WAIT = Duration.ofSeconds(2);
    /** Waiters woken by one notifier task (see {@link #wake}). */
    static final int WAKE_SLICE = 64;
    private static final Logger LOG = LoggerFactory.getLogger(ChannelViews.class);

    private final EventStore cache;
    private final OwnEvents events;
    private final Executor notifier;
    private final EventBudget budget;
    private final Map<String, ChannelLog> logs = new ConcurrentHashMap<>();

    ChannelViews(EventStore cache, OwnEvents events, Executor notifier, EventBudget budget) {
        this.cache = cache;
        this.events = events;
        this.notifier = notifier;
        this.budget = budget;
    }

    /** Starts following the cache's notices. */
    void listen() {
        cache.listen(this::created, this::removed);
    }

    /** Reads every event this node holds (again after a state transfer); merging is idempotent. */
    void load() {
        cache.forEachLocal((key, value) -> {
            if (EventKeys.isEventKey(key) && value != null) {
                log(EventKeys.channelKeyOf(key)).load(events.read(value), EventBudget.weightOf(value));
            }
        });
        logs.values().forEach(l -> {
            if (l.settle()) {
                wake(l);
            }
        });
    }

    /** Open holes get their full wait again: after a merge they are what it brings, not writes lost with their node. */
    void restartHoleWaits() {
        long now = System.nanoTime();
        logs.values().forEach(l -> l.restartHoleWait(now));
    }

    ChannelLog log(String key) {
        return logs.computeIfAbsent(key, k -> newLog());
    }

    /** Every channel's view, by channel key (for {@link EventBudget#keepWithin}). */
    Map<String, ChannelLog> all() {
        return logs;
    }

    private ChannelLog newLog() {
        return new ChannelLog(CAPACITY, budget.channel(), budget.weight());
    }

    /** Subscribes under the map's lock, so an idle log is never dropped with a waiter on it. */
    ChannelLog subscribe(String key, Waiter w) {
        return logs.compute(key, (k, l) -> {
            ChannelLog log = l == null ? newLog() : l;
            log.subscribe(w);
            return log;
        });
    }

    void unsubscribe(String key, Waiter w) {
        logs.computeIfPresent(key, (k, l) -> {
            l.unsubscribe(w);
            return l.isIdle() ? null : l;
        });
    }

    /** Every waiter on this node, for drain and heartbeats. */
    void forEachWaiter(Consumer<Waiter> action) {
        logs.values().forEach(l -> l.waiters().forEach(action));
    }

    int waiting() {
        return logs.values().stream().mapToInt(l -> l.waiters().size()).sum();
    }

    /** Skips holes left open too long (called periodically). */
    void skipStaleHoles() {
        long now = System.nanoTime();
        logs.values().forEach(l -> {
            if (l.hasHole() && l.skipStaleHole(now, HOLE_WAIT.toNanos())) {
                wake(l);
            }
        });
    }

    /** An entry created on this node (on the thread that applied it: hands off at once). */
    private void created(String key, String value) {
        try {
            added(key, value);
        } catch (RuntimeException ex) {
            LOG.warn("unreadable event entry {}: {}", key, ex.toString());
        }
    }

    private void added(String cacheKey, String value) {
        if (value == null || !EventKeys.isEventKey(cacheKey)) {
            return;
        }
        String key = EventKeys.channelKeyOf(cacheKey);
        Event event = events.read(value); // this node's own without parsing it back
        ChannelLog log = log(key);
        // The anchor places only a channel's first event here: no local read per event after it.
        String anchor = log.started() ? null : cache.localGet(EventKeys.anchorKey(key));
        long start = anchor == null ? event.id() : Long.parseLong(anchor);
        if (log.add(event, start, EventBudget.weightOf(value))) {
            wake(log);
        }
    }

    private void removed(String cacheKey) {
        if (!EventKeys.isEventKey(cacheKey)) {
            return;
        }
        String key = EventKeys.channelKeyOf(cacheKey);
        long id = EventKeys.idOf(cacheKey);
        logs.computeIfPresent(key, (k, l) -> {
            l.remove(id);
            return l.isIdle() ? null : l;
        });
    }

    /**
     * Wakes a channel's waiters in slices of {@link #WAKE_SLICE}, one task each: a room with
     * hundreds of listeners costs a handful of hand-offs to the notifier threads, not one per
     * listener (each hand-off a queue lock and often a thread wake-up, on every node, per event).
     */
    private void wake(ChannelLog log) {
        List<Waiter> all = List.copyOf(log.waiters());
        for (int from = 0; from < all.size(); from += WAKE_SLICE) {
            List<Waiter> slice = all.subList(from, Math.min(all.size(), from + WAKE_SLICE));
            notifier.execute(() -> slice.forEach(ChannelViews::wakeOne));
        }
    }

    /** One waiter's failure is its own: the rest of its slice is still woken. */
    private static void wakeOne(Waiter w) {
        try {
            w.wake();
        } catch (RuntimeException e) {
            LOG.warn("could not wake a listener: {}", e.toString());
        }
    }
}
