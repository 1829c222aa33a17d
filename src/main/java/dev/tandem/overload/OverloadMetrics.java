package dev.tandem.overload;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Publishes the budget in /metrics: {@code tandem_overload_refused_total{reason}} per refusal reason,
 * {@code tandem_overload_limit} and {@code tandem_overload_queued} (requests waiting for a slot now).
 */
public final class OverloadMetrics {
    private OverloadMetrics() {}

    public static void bind(MeterRegistry registry, OverloadHandler handler) {
        Refusals r = handler.refusals();
        FunctionCounter.builder("tandem.overload.refused", r, Refusals::queueFullCount)
                .tag("reason", Refusals.QUEUE_FULL)
                .description("Requests refused with 503 at the node's request limit: on arrival, its queue was full")
                .register(registry);
        FunctionCounter.builder("tandem.overload.refused", r, Refusals::queueTimeoutCount)
                .tag("reason", Refusals.QUEUE_TIMEOUT)
                .description("Requests refused with 503 at the node's request limit: after waiting the queue budget")
                .register(registry);
        Gauge.builder("tandem.overload.limit", handler, OverloadHandler::getMaxRequestCount)
                .description("Requests the node works on at once (--max-requests)").register(registry);
        Gauge.builder("tandem.overload.queued", handler, OverloadHandler::getSuspendedRequestCount)
                .description("Requests waiting for a request slot now").register(registry);
    }
}
