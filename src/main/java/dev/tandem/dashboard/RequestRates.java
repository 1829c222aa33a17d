package dev.tandem.dashboard;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * Reads the node's request figures from its metrics registry (the timers RequestMetricsFilter keeps),
 * so the dashboard shows exactly what /metrics reports: requests per second since the last call,
 * p99, refusals at the node's request limit, and the sessions gauge.
 */
final class RequestRates {
    static final String REQUESTS = "http.server.requests";
    static final String SESSIONS = "tandem.sessions.active";
    static final String REFUSED = "tandem.overload.refused";

    private final MeterRegistry registry;
    private final Rate requests = new Rate();
    private final Rate refused = new Rate();

    RequestRates(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Requests per second since the previous call (0 on the first). Called from one thread. */
    double perSecond() {
        long count = 0;
        for (Timer t : timers()) {
            count += t.count();
        }
        return requests.since(count);
    }

    /** Requests refused at the node's own limit (every reason) per second since the previous call. */
    double refusedPerSecond() {
        double count = 0;
        for (FunctionCounter c : registry.find(REFUSED).functionCounters()) {
            count += c.count();
        }
        return refused.since(Math.round(count));
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

    /** A counter's increase per second between calls. */
    private static final class Rate {
        private long lastCount = -1;
        private long lastNanos;

        double since(long count) {
            long now = System.nanoTime();
            double rate = lastCount < 0 || now == lastNanos ? 0 : (count - lastCount) * 1e9 / (now - lastNanos);
            lastCount = count;
            lastNanos = now;
            return Math.max(0, rate);
        }
    }

    private Collection<Timer> timers() {
        return registry.find(REQUESTS).timers();
    }
}
