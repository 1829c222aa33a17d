package dev.tandem.web;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts and times every request by method, status and route (http_server_requests_seconds). For
 * an asynchronous request the clock stops when the response completes, not when the request
 * thread lets go, so the figure includes the session write and its replication.
 *
 * <p>The {@code uri} tag is bounded: the route template the API matched (set as the request
 * attribute {@link #ROUTE}, e.g. {@code /api/session/attributes/{name}}), so health checks have their
 * own series apart from API timings; a request that matched no route is {@code NOT_FOUND} (404),
 * {@code REDIRECTION} (3xx) or {@code UNKNOWN}, never its raw path.
 */
public final class RequestMetricsFilter extends HttpFilter {
    /** Request attribute holding the matched route template. */
    public static final String ROUTE = "dev.tandem.route";

    /** One timer per method, status and route, found by its tags; no builder per request. */
    private final Meter.MeterProvider<Timer> requests;
    /**
     * The timers found so far, by series: Micrometer's own lookup builds, sorts and hashes the four
     * tags on every call. As bounded as the tags (methods, statuses, routes), and no meter is ever
     * removed from the registry, so a kept timer stays the registry's.
     */
    private final ConcurrentHashMap<Series, Timer> timers = new ConcurrentHashMap<>();

    private record Series(String method, int status, String uri) {}

    public RequestMetricsFilter(MeterRegistry registry) {
        this.requests = Timer.builder("http.server.requests")
                .description("HTTP requests served by this node")
                // Buckets, not client-side quantiles: buckets add up across nodes (histogram_quantile).
                .publishPercentileHistogram()
                // Bounds the bucket count to the range an API request can take (the stop timeout is 30 s).
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .withRegistry(registry);
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Timer.Sample sample = Timer.start();
        boolean async = false;
        try {
            chain.doFilter(req, res);
            if (req.isAsyncStarted()) {
                async = true;
                req.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        record(sample, req, res.getStatus());
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                        // onComplete follows and records the final status
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                        // onComplete follows and records the final status
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                        event.getAsyncContext().addListener(this);
                    }
                });
            }
        } finally {
            if (!async) {
                record(sample, req, res.getStatus());
            }
        }
    }

    private void record(Timer.Sample sample, HttpServletRequest req, int status) {
        Series series = new Series(knownMethod(req.getMethod()), status, uri(req.getAttribute(ROUTE), status));
        Timer timer = timers.get(series);
        if (timer == null) {
            timer = timers.computeIfAbsent(series, this::register);
        }
        sample.stop(timer);
    }

    private Timer register(Series series) {
        int status = series.status();
        return requests.withTags(
                "method", series.method(),
                "status", Integer.toString(status),
                "outcome", status >= 500 ? "SERVER_ERROR" : status >= 400 ? "CLIENT_ERROR" : "SUCCESS",
                "uri", series.uri());
    }

    static String uri(Object route, int status) {
        if (route instanceof String template) {
            return template;
        }
        if (status == 404) {
            return "NOT_FOUND";
        }
        return status >= 300 && status < 400 ? "REDIRECTION" : "UNKNOWN";
    }

    /** Keeps the metric's label set bounded whatever methods clients invent. */
    private static String knownMethod(String method) {
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH" -> method;
            default -> "OTHER";
        };
    }
}
