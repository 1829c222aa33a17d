package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tandem.web.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A stopping node closes its events before it leaves the cluster, and until it has left, the
 * cache still tells it of topology changes (a peer joining or leaving meanwhile).
 */
class EventsAfterCloseTest {

    @Test
    void aTopologyChangeAfterCloseIsDroppedInsteadOfThrownIntoTheCachesListener() {
        HeldStore store = new HeldStore();
        Events events = new Events("n1", Json.newMapper(), Duration.ofMinutes(5), Duration.ofSeconds(10));
        events.start(store, false, new SimpleMeterRegistry());
        assertThat(store.topology).as("the event log follows the cache's topology").isNotNull();

        events.close();

        // Thrown here, it reached Infinispan's listener: an ERROR and a failed rebalance on the leaving node.
        assertThatCode(store.topology::run).doesNotThrowAnyException();
    }

    /** Entries in a map; the listeners are held for the test to call. */
    private static final class HeldStore implements EventStore {
        private final Map<String, String> entries = new ConcurrentHashMap<>();
        private volatile Runnable topology;

        @Override
        public String putIfAbsent(String key, String value, Duration lifespan) {
            return entries.putIfAbsent(key, value);
        }

        @Override
        public CompletionStage<Void> complete(String key, String value, Duration lifespan) {
            entries.putIfAbsent(key, value);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> removeAll(Collection<String> keys) {
            keys.forEach(entries::remove);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public String localGet(String key) {
            return entries.get(key);
        }

        @Override
        public void forEachLocal(BiConsumer<String, String> action) {
            entries.forEach(action);
        }

        @Override
        public void listen(BiConsumer<String, String> created, Consumer<String> removed) {
            // not needed here
        }

        @Override
        public void onTopologyChange(Runnable action) {
            topology = action;
        }

        @Override
        public void awaitInitialState() {
            // a cluster of one holds everything from the start
        }
    }
}
