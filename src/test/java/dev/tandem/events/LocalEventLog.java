package dev.tandem.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;

/** One node's event log on a real, local Infinispan cache, started; {@link #close} stops the cache. */
final class LocalEventLog implements AutoCloseable {
    private final DefaultCacheManager manager = new DefaultCacheManager();
    final Cache<String, String> cache;
    final EventLog log;

    LocalEventLog(ObjectMapper mapper, EventBudget budget) {
        manager.defineConfiguration("events", new ConfigurationBuilder().build());
        cache = manager.getCache("events");
        log = new EventLog(new InfinispanEventStore(cache), mapper, "n1", Runnable::run, Duration.ofMinutes(5),
                Duration.ofMinutes(5), budget);
        log.start();
    }

    @Override
    public void close() {
        manager.stop();
    }
}
