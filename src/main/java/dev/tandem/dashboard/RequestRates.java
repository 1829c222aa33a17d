package dev.tandem.dashboard;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * Reads the node's request figures from its metrics registry (the timers RequestMetricsFilter keeps),
 * so the dashboard shows exactly what /metrics reports: requests per second since the last call,
 * p99, and the sessions gauge.
 */
final class RequestRates {
    static final String REQUESTS = "http.server.requests";
    static final String SESSIONS = "tandem.sessions.active";

    private final MeterRegistry registry;
    private long lastCount = -1;
    private long lastNanos;

    RequestRates(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Requests per second since the previous call (0 on the first). Called from one thread. */
    double perSecond() {
        long count = 0;
        for (Timer t : timers()) {
            count += t.count();
        }
        long now = System.nanoTime();
        double rate = lastCount < 0 || now == lastNanos ? 0
                : (count - lastCount) * 1e9 / (now - lastNanos);
        lastCount = count;
        lastNanos = now;
        return Math.max(0, rate);
    }

    /**
     * The highest p99 among the request timers (one per method and status). The p99 of all requests
     * together is never above it: each part has at most 1% of its requests above its own p99.
     */
    double p99Millis() {
        double worst = 0;
        for (Timer t : timers()) {
            for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
                if (v.percentile() == 0.99) {
                    worst = Math.max(worst, v.value(TimeUnit.MILLISECONDS));
                }
            }
        }
        return worst;
    }

    /** Sessions held (the session module's gauge), -1 when this node has none registered. */
    long sessions() {
        Gauge g = registry.find(SESSIONS).gauge();
        return g == null ? -1 : Math.round(g.value());
    }

    private Collection<Timer> timers() {
        return registry.find(REQUESTS).timers();
    }
}
