package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.errors.ApiException;
import dev.tandem.web.Json;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.infinispan.Cache;
import org.infinispan.cache.impl.AbstractDelegatingCache;
import org.infinispan.commons.TimeoutException;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Publishing when the cluster cannot take the write in time, on a real (local) Infinispan cache. */
class EventLogUnavailableTest {
    private final DefaultCacheManager manager = new DefaultCacheManager();
    private final ObjectMapper mapper = Json.newMapper();

    @AfterEach
    void stop() {
        manager.stop();
    }

    @Test
    void aPublishTheClusterCannotTakeInTimeIsA503ToRetryNotAnInternalError() {
        // A room post while a peer was cut off answered 500 (ad hoc, three nodes in one JVM, 2026-12-04).
        manager.defineConfiguration("events", new ConfigurationBuilder().build());
        Cache<String, String> cache = manager.getCache("events");
        AtomicBoolean peerCutOff = new AtomicBoolean(true);
        Cache<String, String> replicationTimesOut = new AbstractDelegatingCache<>(cache) {
            @Override
            public String putIfAbsent(String key, String value, long lifespan, TimeUnit unit) {
                if (peerCutOff.get()) {
                    throw new TimeoutException("ISPN000476: Timed out waiting for responses (this test)");
                }
                return super.putIfAbsent(key, value, lifespan, unit);
            }
        };
        EventLog log = new EventLog(new InfinispanEventStore(replicationTimesOut), mapper, "n1", Runnable::run,
                Duration.ofMinutes(5), Duration.ofMinutes(5), new EventBudget(1 << 20, 1 << 24));
        log.start();

        assertThatThrownBy(() -> log.publish(Channel.room("lobby"), "message", mapper.createObjectNode().put("text", "hi")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.error()).isEqualTo("unavailable");
                    assertThat(e.getMessage()).contains("may or may not have been published");
                });

        peerCutOff.set(false);
        assertThat(log.publish(Channel.room("lobby"), "message", mapper.createObjectNode().put("text", "again")).id())
                .as("the next publish, once the cluster takes writes").isPositive();
    }
}
