package dev.tandem.overload;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongSupplier;

/**
 * Publishes the budget in /metrics: {@code tandem_overload_refused_total{reason}} per refusal reason,
 * {@code tandem_overload_limit} and {@code tandem_overload_queued} (requests waiting for a slot now).
 */
public final class OverloadMetrics {
    private OverloadMetrics() {}

    public static void bind(MeterRegistry registry, OverloadHandler handler) {
        Refusals r = handler.refusals();
        bindRefusals(registry, r.queueFullSource(), r.queueTimeoutSource());
        Gauge.builder("tandem.overload.limit", handler, OverloadHandler::getMaxRequestCount)
                .description("Requests the node works on at once (--max-requests)").register(registry);
        Gauge.builder("tandem.overload.queued", handler, OverloadHandler::getSuspendedRequestCount)
                .description("Requests waiting for a request slot now").register(registry);
    }

    /**
     * The refusal counters alone, also for a WAR node's webapp, whose budget runs in the server
     * (module tandem-overload) and reaches it as JDK functions (see {@link WarRefusals}). Micrometer
     * holds the suppliers weakly: the caller keeps them referenced (a fresh method reference would
     * be collected at the next GC and its counter vanish).
     */
    public static void bindRefusals(MeterRegistry registry, LongSupplier queueFull, LongSupplier queueTimeout) {
        FunctionCounter.builder("tandem.overload.refused", queueFull, LongSupplier::getAsLong)
                .tag("reason", Refusals.QUEUE_FULL)
                .description("Requests refused with 503 at the node's request limit: on arrival, its queue was full")
                .register(registry);
        FunctionCounter.builder("tandem.overload.refused", queueTimeout, LongSupplier::getAsLong)
                .tag("reason", Refusals.QUEUE_TIMEOUT)
                .description("Requests refused with 503 at the node's request limit: after waiting the queue budget")
                .register(registry);
    }
}
