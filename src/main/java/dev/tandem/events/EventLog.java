package dev.tandem.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.errors.ApiException;
import dev.tandem.cluster.SharedCaches;
import dev.tandem.web.RandomUuids;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide, ordered, bounded event log of every channel, kept in the replicated cache
 * {@value SharedCaches#EVENTS} (through an {@link EventStore}).
 *
 * <p><b>Why one cache entry per event, claimed with putIfAbsent.</b> Each event is stored under
 * {@code e:<channel>:<id>}; a publisher takes the next id by {@code putIfAbsent}, which Infinispan
 * decides on that key's primary owner and applies on every member before it returns (REPL_SYNC).
 * Exactly one event gets each id, the claim and the write are one step (no id is ever taken and
 * then left empty by a publisher that died in between), and when a node dies the events are
 * already on every survivor: a client that reconnects elsewhere resumes from its cursor. A write
 * the cluster could not take in time is refused and completed later ({@link EventClaims}). A whole
 * buffer in one entry replaced by compare-and-set would order events just as well, but would copy
 * and replicate up to {@link ChannelViews#CAPACITY} events on every publish.
 *
 * <p>A channel's first id is the publish time in microseconds (agreed through a putIfAbsent on
 * {@code h:<channel>}), so ids keep growing even after an idle channel's events expired and it
 * starts again. Every node keeps its own ordered view of each channel from a cache listener,
 * which also wakes the clients waiting on this node ({@link ChannelViews}). What the events may
 * weigh on the heap is bounded per channel and per node ({@link EventBudget}).
 */
public final class EventLog {
    /**
     * Events beyond the capacity are removed from the cache this many at a time, in one command:
     * one replicated remove per publish was a fifth of a clustered write's replicated operations
     * (lock, session, unlock, event, trim). The cost: a full channel's cache entries are up to this
     * many over its capacity, 3 %; readers never see them.
     */
    static final int TRIM_BATCH = 32;
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);

    private final EventStore cache;
    private final EventClaims claims;
    private final EventJson json;
    private final OwnEvents own;
    private final ChannelViews views;
    private final String node;
    private final Executor notifier;
    private final Duration sessionRetention;
    private final Duration roomRetention;
    private final EventBudget budget;

    EventLog(EventStore cache, ObjectMapper mapper, String node, Executor notifier,
             Duration sessionRetention, Duration roomRetention, EventBudget budget) {
        this.budget = budget;
        this.cache = cache;
        this.claims = new EventClaims(cache);
        this.json = new EventJson(mapper);
        this.own = new OwnEvents(json);
        this.views = new ChannelViews(cache, own, notifier, budget);
        this.node = node;
        this.notifier = notifier;
        this.sessionRetention = sessionRetention;
        this.roomRetention = roomRetention;
    }

    /** Starts following the cache, then reads what it already holds. */
    void start() {
        views.listen();
        cache.onTopologyChange(() -> notifier.execute(this::reload));
        views.load();
    }

    /**
     * After a topology change: a merge after a partition brings the majority's events without a
     * notice per entry, so the whole local copy is read again, after the writes this node could
     * not finish are completed.
     */
    private void reload() {
        completeFailedWrites();
        views.restartHoleWaits();
        try {
            views.load();
        } catch (RuntimeException e) {
            LOG.warn("could not read the event cache again after a topology change: {}", e.toString());
        }
    }

    /** Reads every event this node holds again (once its state transfer is complete); merging is idempotent. */
    void load() {
        views.load();
    }

    /**
     * Publishes an event: stored on every member (or refused with an exception) before it returns.
     * The event returned is the one this node's view holds ({@link OwnEvents}), with a copy of
     * {@code data}: the caller may change its own node afterwards, and must not change the event's.
     */
    public Event publish(Channel channel, String type, JsonNode data) {
        ChannelLog log = views.log(channel.key());
        long next = log.nextId();
        if (next == 0) {
            String fresh = Long.toString(TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()));
            String agreed = claim(EventKeys.anchorKey(channel.key()), fresh, channel);
            next = Long.parseLong(agreed == null ? fresh : agreed);
        }
        String uid = RandomUuids.next(); // no process-wide lock per publish, as UUID.randomUUID() takes
        // The event this node holds is the one it publishes (OwnEvents): its data must not change after.
        JsonNode held = data == null ? null : data.deepCopy();
        for (int attempt = 0; attempt < 10_000; attempt++) {
            Event event = new Event(next, channel.name(), type, node, System.currentTimeMillis(), held, uid);
            String value = own.storing(event);
            String existing;
            try {
                existing = claim(EventKeys.eventKey(channel.key(), next), value, channel);
            } finally {
                own.stored(value);
            }
            if (existing == null || uid.equals(json.read(existing).uid())) {
                trim(channel.key(), log);
                budget.keepWithin(views.all(), channel.key(), this::drop);
                return event;
            }
            next = Math.max(next + 1, log.nextId());
        }
        throw new ApiException(503, "unavailable", "the channel is too busy right now; retry shortly");
    }

    private String claim(String key, String value, Channel channel) {
        return claims.claim(key, value, retention(channel), channel.name());
    }

    /** Completes the writes that failed ({@link EventClaims}); called periodically and after topology changes. */
    void completeFailedWrites() {
        claims.complete();
    }

    int unfinishedWrites() {
        return claims.unfinished();
    }

    /** This node's view of one channel. */
    ChannelLog log(String key) {
        return views.log(key);
    }

    /** What every channel's events weigh on this node, by estimate ({@link EventBudget#weightOf}). */
    long weight() {
        return budget.weight().get();
    }

    ChannelLog subscribe(String key, Waiter w) {
        return views.subscribe(key, w);
    }

    void unsubscribe(String key, Waiter w) {
        views.unsubscribe(key, w);
    }

    /** Every waiter on this node, for drain and heartbeats. */
    void forEachWaiter(Consumer<Waiter> action) {
        views.forEachWaiter(action);
    }

    int waiting() {
        return views.waiting();
    }

    /** Skips holes left open too long (called periodically). */
    void skipStaleHoles() {
        views.skipStaleHoles();
    }

    private void trim(String key, ChannelLog log) {
        List<Long> old = log.toTrim(TRIM_BATCH);
        if (old.isEmpty()) {
            return;
        }
        List<String> keys = EventKeys.eventKeys(key, old);
        cache.removeAll(keys).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.debug("could not remove {} old events of {} (tried again on the next publish): {}", keys.size(), key,
                        failure.toString());
                log.trimFailed();
            }
        });
    }

    /**
     * Removes a channel's events from the cache ({@link EventBudget#keepWithin}). Its anchor goes
     * first, so a publish that finds the channel empty starts it afresh from the clock, above
     * every id it had.
     */
    private CompletionStage<Void> drop(String key, ChannelLog log) {
        List<String> events = EventKeys.eventKeys(key, log.ids());
        return cache.removeAll(List.of(EventKeys.anchorKey(key))).thenCompose(v -> cache.removeAll(events));
    }

    private Duration retention(Channel channel) {
        return channel.key().startsWith("s:") ? sessionRetention : roomRetention;
    }
}
