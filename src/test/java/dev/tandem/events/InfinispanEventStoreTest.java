package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event store on a real (local) Infinispan cache: what its listener reports is what the log's views follow. */
class InfinispanEventStoreTest {
    private final DefaultCacheManager manager = new DefaultCacheManager();

    @AfterEach
    void stop() {
        manager.stop();
    }

    @Test
    void keysRemovedTogetherInOneCommandAreEachReportedRemoved() throws Exception {
        manager.defineConfiguration("events", new ConfigurationBuilder().build());
        Cache<String, String> cache = manager.getCache("events");
        InfinispanEventStore store = new InfinispanEventStore(cache);
        Set<String> removed = ConcurrentHashMap.newKeySet();
        store.listen((k, v) -> { }, removed::add);
        for (int i = 1; i <= 5; i++) {
            assertThat(store.putIfAbsent("e:r:x:" + i, "v" + i, Duration.ofMinutes(1))).isNull();
        }

        store.removeAll(List.of("e:r:x:1", "e:r:x:2", "e:r:x:3")).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(removed).containsExactlyInAnyOrder("e:r:x:1", "e:r:x:2", "e:r:x:3");
        assertThat(cache.keySet()).containsExactlyInAnyOrder("e:r:x:4", "e:r:x:5");
    }

    @Test
    void completingAWriteStoresItWhenAbsentWritesItAgainWhenHeldAndLeavesAnotherValueAlone() throws Exception {
        manager.defineConfiguration("events", new ConfigurationBuilder().build());
        Cache<String, String> cache = manager.getCache("events");
        // Through the WAR's bridge, as a WAR node's webapp sees the store (jar nodes use it directly).
        EventStore store = new BridgedEventStore(WarEventCache.of(() -> new InfinispanEventStore(cache)));
        List<String> seen = new CopyOnWriteArrayList<>();
        store.listen((k, v) -> seen.add(k + "=" + v), k -> { });
        cache.put("e:r:x:2", "held");
        cache.put("e:r:x:3", "other");
        seen.clear();

        for (String key : List.of("e:r:x:1", "e:r:x:2", "e:r:x:3")) {
            String value = key.endsWith("3") ? "mine" : key.endsWith("2") ? "held" : "absent";
            store.complete(key, value, Duration.ofMinutes(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        assertThat(cache).containsEntry("e:r:x:1", "absent").containsEntry("e:r:x:2", "held").containsEntry("e:r:x:3", "other");
        assertThat(seen).as("what the log's listener is told").containsExactly("e:r:x:1=absent", "e:r:x:2=held");
    }

    @Test
    void aWarNodesBridgeLackingAFunctionStopsTheStartWithWhatToDo() {
        assertThat(catchThrowable(() -> new BridgedEventStore(Map.of())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'putIfAbsent'")
                .hasMessageContaining("bin/tandem-jetty-base");
    }
}
