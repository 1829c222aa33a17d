package dev.tandem.events;

import dev.tandem.api.errors.ApiException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log's writes into the cache: each a replicated {@code putIfAbsent}, and each one that
 * failed completed later.
 *
 * <p><b>Why a failed write is completed.</b> A write the cluster cannot take in time (a peer cut
 * off or frozen: a replication timeout) is refused, yet it can stay on some members and not on
 * others, the primary owner included or not (CutOffEventWriteTest: while c was cut off, b's write
 * that a decided stayed on b only, one that b decided stayed on a only). Nothing brings such
 * replicas together again when a member leaves, so the members would serve different histories
 * of the channel until its events expire. Until it is done, each failed write is completed through
 * the key's primary owner ({@link EventStore#complete}): at once, after each topology change and
 * every second, so every member holds what the primary owner decided.
 */
final class EventClaims {
    /** Failed writes remembered at most (each is one small event): beyond, one is left unfinished, with a warning. */
    static final int MAX_UNFINISHED = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(EventClaims.class);

    private record Write(String value, Duration lifespan) {}

    private final EventStore store;
    private final Map<String, Write> unfinished = new ConcurrentHashMap<>();
    private final Set<String> completing = ConcurrentHashMap.newKeySet();

    EventClaims(EventStore store) {
        this.store = store;
    }

    /**
     * Stores the value unless the key is taken; returns what was there (null when stored). A
     * cluster that cannot take the write in time is a 503 to retry, not our bug: whether it
     * landed is unknown, and it is completed later.
     */
    String claim(String key, String value, Duration lifespan, String channel) {
        try {
            return store.putIfAbsent(key, value, lifespan);
        } catch (RuntimeException e) {
            LOG.warn("could not store an event of {} in time (completed later): {}", channel, e.toString());
            if (unfinished.size() < MAX_UNFINISHED) {
                unfinished.put(key, new Write(value, lifespan));
                complete();
            } else {
                LOG.warn("{} failed event writes are waiting to be completed: {} is left as it landed", MAX_UNFINISHED, key);
            }
            throw new ApiException(503, "unavailable", "the cluster could not store the event in time, so it may or may not "
                    + "have been published; retry shortly");
        }
    }

    /** Tries each unfinished write once more, one attempt per key at a time; a completed one is forgotten. */
    void complete() {
        unfinished.forEach((key, write) -> {
            if (!completing.add(key)) {
                return;
            }
            CompletionStage<Void> done;
            try {
                done = store.complete(key, write.value(), write.lifespan());
            } catch (RuntimeException e) {
                completing.remove(key);
                LOG.debug("could not complete the write of {} yet: {}", key, e.toString());
                return;
            }
            done.whenComplete((ok, failure) -> {
                completing.remove(key);
                if (failure == null) {
                    unfinished.remove(key, write);
                    LOG.info("completed the failed write of {}: every member holds what its primary owner decided", key);
                } else {
                    LOG.debug("could not complete the write of {} yet: {}", key, failure.toString());
                }
            });
        });
    }

    /** Failed writes not completed yet. */
    int unfinished() {
        return unfinished.size();
    }
}
