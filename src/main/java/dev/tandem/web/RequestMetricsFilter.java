package dev.tandem.web;

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

/**
 * Counts and times every request by method and status (http_server_requests_seconds). For an
 * asynchronous request the clock stops when the response completes, not when the request thread
 * lets go, so the figure includes the session write and its replication.
 */
public final class RequestMetricsFilter extends HttpFilter {
    private final MeterRegistry registry;

    public RequestMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Timer.Sample sample = Timer.start(registry);
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
        sample.stop(Timer.builder("http.server.requests")
                .description("HTTP requests served by this node")
                .tag("method", knownMethod(req.getMethod()))
                .tag("status", Integer.toString(status))
                .tag("outcome", status >= 500 ? "SERVER_ERROR" : status >= 400 ? "CLIENT_ERROR" : "SUCCESS")
                .publishPercentiles(0.5, 0.99)
                .register(registry));
    }

    /** Keeps the metric's label set bounded whatever methods clients invent. */
    private static String knownMethod(String method) {
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH" -> method;
            default -> "OTHER";
        };
    }
}
