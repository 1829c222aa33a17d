package dev.tandem.events;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the event log may hold on a node's heap. Every node holds every channel's events (a
 * replicated cache), so a client could otherwise fill every node's heap at once with legal
 * requests (measured: 1,000 attribute writes of 8 KB kept 16 MiB per session, and one client took
 * a 256 MiB node to OutOfMemoryError in 20 s). Bounded twice, by an estimate of the heap each
 * event takes ({@link #weightOf}): a channel keeps at most {@link #channel()} (its oldest events go
 * first, {@link ChannelLog#toTrim}); when all channels together pass {@link #node()}, the channels
 * idle longest lose their whole replay buffer (their clients' next read says their cursor expired).
 */
final class EventBudget {
    /**
     * A channel: 2 MiB, which holds the last 1,000 events of up to about 500 bytes of JSON (a chat
     * message, a counter, a cart line), or about 120 of the largest attribute writes.
     */
    static final long CHANNEL = 2 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(EventBudget.class);

    private final long channel;
    private final long node;
    /** What every channel's events weigh on this node together. */
    private final AtomicLong weight = new AtomicLong();
    /** One eviction at a time on this node; channels on their way out are not chosen twice. */
    private final AtomicBoolean evicting = new AtomicBoolean();
    private final Set<String> leaving = ConcurrentHashMap.newKeySet();

    EventBudget(long channel, long node) {
        this.channel = channel;
        this.node = node;
    }

    /** A quarter of the heap for all channels (sessions may take half, see dev.tandem.config.SessionLimits). */
    static EventBudget forHeap(long maxHeapBytes) {
        return new EventBudget(CHANNEL, Math.max(4 * CHANNEL, maxHeapBytes / 4));
    }

    /**
     * What one event is taken to weigh on a node's heap: its JSON twice (the cache's string and the
     * parsed event of this node's view, to which a streamed event adds its SSE bytes) and a fixed
     * part for the entries, the event object and the view's maps. Measured: 0.97 MiB of heap held
     * per channel at a budget of 1 MiB of 8 KB events; about 1.8 KB per small event.
     */
    static int weightOf(String json) {
        return 1024 + 2 * json.length();
    }

    long channel() {
        return channel;
    }

    long node() {
        return node;
    }

    /** The node's running total, kept by every channel's view. */
    AtomicLong weight() {
        return weight;
    }

    /**
     * Over the node's budget: the channels idle longest (never {@code published}, the one just
     * written to) are dropped, down to seven eighths of the budget.
     *
     * @param drop removes a channel's events from the cache; completes when they are gone
     */
    void keepWithin(Map<String, ChannelLog> logs, String published,
                    BiFunction<String, ChannelLog, CompletionStage<Void>> drop) {
        if (weight.get() <= node || !evicting.compareAndSet(false, true)) {
            return;
        }
        try {
            long before = weight.get();
            long left = before - leaving.stream().map(logs::get).filter(Objects::nonNull).mapToLong(ChannelLog::weight).sum();
            long target = node - node / 8;
            List<Map.Entry<String, ChannelLog>> idlest = logs.entrySet().stream()
                    .filter(e -> !e.getKey().equals(published) && !leaving.contains(e.getKey()) && e.getValue().weight() > 0)
                    .sorted(Comparator.comparingLong(e -> e.getValue().lastTime()))
                    .toList();
            int dropped = 0;
            for (Map.Entry<String, ChannelLog> e : idlest) {
                if (left <= target) {
                    break;
                }
                left -= e.getValue().weight();
                String key = e.getKey();
                leaving.add(key);
                drop.apply(key, e.getValue()).whenComplete((ok, failure) -> {
                    leaving.remove(key);
                    if (failure != null) {
                        LOG.debug("could not drop the events of {} (tried again when over budget): {}", key, failure.toString());
                    }
                });
                dropped++;
            }
            if (dropped > 0) { // none when all that is over is already on its way out
                LOG.warn("the events on this node weighed {} bytes by estimate, over their budget of {}: dropped the {} "
                        + "channel(s) idle longest", before, node, dropped);
            }
        } finally {
            evicting.set(false);
        }
    }
}
