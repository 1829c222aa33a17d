package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tandem.web.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A stopping node closes its events before it leaves the cluster, and until it has left, the
 * cache still tells it of topology changes (a peer joining or leaving meanwhile).
 */
class EventsAfterCloseTest {

    @Test
    void aTopologyChangeAfterCloseIsDroppedInsteadOfThrownIntoTheCachesListener() {
        AtomicReference<Runnable> topology = new AtomicReference<>();
        Events events = new Events("n1", Json.newMapper(), Duration.ofMinutes(5), Duration.ofSeconds(10));
        events.start(emptyStoreKeeping(topology), false, new SimpleMeterRegistry());
        assertThat(topology.get()).as("the event log follows the cache's topology").isNotNull();

        events.close();

        // Thrown here, it reached Infinispan's listener: an ERROR and a failed rebalance on the leaving node.
        assertThatCode(topology.get()::run).doesNotThrowAnyException();
    }

    /** A store that holds nothing (all Events.start calls return nothing) and keeps its topology listener. */
    private static EventStore emptyStoreKeeping(AtomicReference<Runnable> topology) {
        return (EventStore) Proxy.newProxyInstance(EventStore.class.getClassLoader(), new Class<?>[] {EventStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("onTopologyChange")) {
                        topology.set((Runnable) args[0]);
                    }
                    return null;
                });
    }
}
