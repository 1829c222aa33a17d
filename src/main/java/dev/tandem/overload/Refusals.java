package dev.tandem.overload;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The node's overload refusals per reason: {@code queue_full} (refused on arrival, the node's queue
 * already held as many as it can serve within the budget) and {@code queue_timeout} (waited the
 * whole queue budget for a slot). Plain JDK counters, so a WAR node's Jetty (which has no
 * Micrometer) can keep them too; {@link OverloadMetrics} publishes them.
 */
public final class Refusals {
    public static final String QUEUE_FULL = "queue_full";
    public static final String QUEUE_TIMEOUT = "queue_timeout";
    private final LongAdder queueFull = new LongAdder();
    private final LongAdder queueTimeout = new LongAdder();
    // Held here for the metrics: Micrometer holds a counter's source weakly.
    private final LongSupplier queueFullSource = queueFull::sum;
    private final LongSupplier queueTimeoutSource = queueTimeout::sum;

    void queueFull() {
        queueFull.increment();
    }

    void queueTimeout() {
        queueTimeout.increment();
    }

    /** The count, the same supplier every time (it lives as long as this; metrics hold it weakly). */
    public LongSupplier queueFullSource() {
        return queueFullSource;
    }

    public LongSupplier queueTimeoutSource() {
        return queueTimeoutSource;
    }
}
