package dev.tandem.dashboard;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
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
    /** The p99 is of the requests that ended this recently. */
    static final Duration P99_WINDOW = Duration.ofSeconds(10);

    private final MeterRegistry registry;
    private final Rate requests = new Rate();
    private final Rate refused = new Rate();
    private final ArrayDeque<Reading> readings = new ArrayDeque<>();

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
     * The p99 of the requests of the last {@link #P99_WINDOW} (all timers together), to the
     * resolution of the timers' histogram buckets: the bucket bound at or below which 99% of them
     * ended. The timers publish buckets, not client-side quantiles (see RequestMetricsFilter), and
     * Prometheus' buckets count since start, so the window is the difference of two readings.
     * 0 without requests in the window. Called from one thread.
     */
    double p99Millis() {
        long now = System.nanoTime();
        TreeMap<Double, Double> buckets = new TreeMap<>();
        long count = 0;
        for (Timer t : timers()) {
            count += t.count();
            for (CountAtBucket b : t.takeSnapshot().histogramCounts()) {
                buckets.merge(b.bucket(TimeUnit.MILLISECONDS), b.count(), Double::sum);
            }
        }
        Reading current = new Reading(now, count, buckets);
        readings.addLast(current);
        while (readings.size() > 1 && now - readings.peekFirst().nanos() > P99_WINDOW.toNanos()) {
            readings.removeFirst();
        }
        return current.p99Since(readings.peekFirst());
    }

    /** Sessions held (the session module's gauge), -1 when this node has none registered. */
    long sessions() {
        Gauge g = registry.find(SESSIONS).gauge();
        return g == null ? -1 : Math.round(g.value());
    }

    /** The request timers' cumulative bucket counts (bucket bound in ms) at one moment. */
    private record Reading(long nanos, long count, TreeMap<Double, Double> buckets) {
        double p99Since(Reading base) {
            long requests = count - base.count;
            if (requests <= 0) {
                return 0;
            }
            double atMost = 0;
            for (Map.Entry<Double, Double> b : buckets.entrySet()) {
                atMost = b.getValue() - base.buckets.getOrDefault(b.getKey(), 0.0);
                if (atMost >= 0.99 * requests) {
                    return b.getKey();
                }
            }
            // Slower than the largest bucket: that bound is the most the buckets can say.
            return buckets.isEmpty() ? 0 : buckets.lastKey();
        }
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
