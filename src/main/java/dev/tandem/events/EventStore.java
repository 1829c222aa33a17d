package dev.tandem.events;

import dev.tandem.cluster.SharedCaches;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Where the event log lives: the replicated cache {@value SharedCaches#EVENTS}, seen through JDK types
 * only. The fat jar reads the cache directly ({@link InfinispanEventStore}); a WAR node's webapp
 * cannot see Infinispan's classes, so the jetty-base hands it the server's cache as JDK functions
 * ({@link WarEventCache}, read back by {@link BridgedEventStore}).
 */
public interface EventStore {
    /** Stores the value unless the key is taken; returns what was there (null when stored), on every member. */
    String putIfAbsent(String key, String value, Duration lifespan);

    /**
     * Completes a write that may sit on some members only (a {@link #putIfAbsent} that failed):
     * through the key's primary owner, stores the value unless the key is taken, and writes it to
     * every member again when the key holds this very value. A key another value took is left as it
     * is: that value is what the primary owner decided. Completes when every member holds the
     * primary owner's value, or fails (to be tried again), without blocking the caller.
     */
    CompletionStage<Void> complete(String key, String value, Duration lifespan);

    /** Removes the keys in one replicated command; completes when it is done, without blocking the caller. */
    CompletionStage<Void> removeAll(Collection<String> keys);

    /** This member's copy of the key, without asking the others. */
    String localGet(String key);

    /** Every entry this member holds. */
    void forEachLocal(BiConsumer<String, String> action);

    /**
     * From now on, on this member: every entry created or changed (key, value; a changed one is a
     * completed write, {@link #complete}), and every entry removed or expired (key).
     */
    void listen(BiConsumer<String, String> created, Consumer<String> removed);

    /**
     * From now on: after every change of the cache's members (a join, a leave, a merge after a
     * partition and its rebalance), when entries may have changed here without a notice each.
     */
    void onTopologyChange(Runnable action);

    /** Blocks until a joining member holds the cluster's entries (its initial state transfer). */
    void awaitInitialState();
}
