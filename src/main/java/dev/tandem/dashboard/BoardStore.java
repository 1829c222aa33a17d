package dev.tandem.dashboard;

import dev.tandem.cluster.SharedCaches;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Where the status board lives: the replicated cache {@value SharedCaches#BOARD}, seen through JDK
 * types only. The fat jar reads the cache directly ({@link InfinispanBoardStore}); a WAR node's
 * webapp cannot see Infinispan's classes, so the jetty-base hands it the server's cache as JDK
 * functions ({@link WarStatusBoard}, read back by {@link BridgedBoardStore}), as the event log does.
 */
public interface BoardStore {
    /** Stores the value; synchronous writes are retried by Infinispan on a new topology (see StatusBoard). */
    void put(String key, String value, Duration lifespan, boolean synchronous);

    /** The key's value, or null. */
    String get(String key);

    /** Every entry this member holds (nothing while the cache is not running). */
    void forEachLocal(BiConsumer<String, String> action);

    /**
     * From now on, every cluster view change this member installs, on JGroups' thread (the listener
     * must not block). Returns what stops the listening.
     */
    Runnable onViewChange(Consumer<ViewChange> listener);

    /** One view change: its id (the same on every member that installs it) and the difference. */
    record ViewChange(int viewId, List<String> joined, List<String> left, int members) {}
}
