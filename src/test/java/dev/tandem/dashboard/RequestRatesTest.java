package dev.tandem.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestRatesTest {

    @Test
    void theP99ComesFromTheRequestHistogramsOfTheRequestsSinceTheFirstReading() {
        PrometheusMeterRegistry registry = Metrics.registry("n1");
        RequestRates rates = new RequestRates(registry);
        assertThat(rates.p99Millis()).as("no requests yet").isZero();

        Timer fast = timer(registry, "200");
        Timer slow = timer(registry, "503");
        for (int i = 0; i < 97; i++) {
            fast.record(Duration.ofMillis(2));
        }
        slow.record(Duration.ofMillis(400));
        slow.record(Duration.ofMillis(400));
        slow.record(Duration.ofMillis(400));
        // 3 of 100 took 400 ms: the p99 is in their bucket, not in the 2 ms one.
        assertThat(rates.p99Millis()).isBetween(400.0, 600.0);
    }

    @Test
    void requestsBeforeTheWindowDoNotCount() {
        PrometheusMeterRegistry registry = Metrics.registry("n1");
        Timer t = timer(registry, "200");
        for (int i = 0; i < 100; i++) {
            t.record(Duration.ofSeconds(2));
        }
        // The slow ones came before the first reading: only the 100 fast ones after it count.
        RequestRates fresh = new RequestRates(registry);
        fresh.p99Millis();
        for (int i = 0; i < 100; i++) {
            t.record(Duration.ofMillis(2));
        }
        assertThat(fresh.p99Millis()).isBetween(2.0, 3.0);
    }

    private static Timer timer(PrometheusMeterRegistry registry, String status) {
        // As RequestMetricsFilter builds its timers: buckets from 1 ms to 30 s.
        return Timer.builder(RequestRates.REQUESTS).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .tags("method", "GET", "status", status).register(registry);
    }
}
