package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.overload.OverloadHandler;
import dev.tandem.overload.OverloadLimits;
import dev.tandem.overload.OverloadMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Meters keep their values after a garbage collection: Micrometer holds a meter's source weakly,
 * and a method reference nothing else holds is gone at the next GC (the gauge reads NaN, the
 * counter vanishes). Seen in CI as tandem_sessions_active NaN.
 */
class MetricsGcTest {

    @Test
    void theSessionGaugeAndTheRefusalCountersOutliveAGarbageCollection() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger sessions = new AtomicInteger(7);
        Metrics.bindSessions(registry, sessions::get);
        OverloadHandler handler = new OverloadHandler(OverloadLimits.defaults(), "t1");
        OverloadMetrics.bind(registry, handler);

        collectGarbage();

        assertThat(registry.get("tandem.sessions.active").gauge().value()).isEqualTo(7.0);
        assertThat(registry.get("tandem.overload.refused").functionCounters()).hasSize(2)
                .allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(handler.refusals()).isNotNull(); // the handler lives on, as in a running node
    }

    /** Until an object only weakly held is gone (a collection that clears weak references ran). */
    private static void collectGarbage() {
        WeakReference<Object> sentinel = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && sentinel.get() != null; i++) {
            System.gc();
        }
        assertThat(sentinel.get()).as("a collection ran").isNull();
    }
}
