package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.Filter;
import java.time.Duration;
import java.util.List;

/**
 * The servlet filters in front of the API, in the order they must run, for the jar's Jetty and
 * for the WAR alike: stamp node and request id first, then time everything (also refusals), then
 * refuse malformed session ids before any session is touched, then answer 503 for a session the
 * node cannot read right now (never a fresh one in its place), then move the session's periodic
 * write before the response.
 */
public final class ApiFilters {
    private ApiFilters() {}

    /** A filter and the name it is registered under. */
    public record Named(String name, Filter filter) {}

    public static List<Named> inOrder(String node, MeterRegistry registry, ObjectMapper mapper, Duration savePeriod) {
        return List.of(
                new Named("node-header", new NodeHeaderFilter(node)),
                new Named("metrics", new RequestMetricsFilter(registry)),
                new Named("session-id-guard", new SessionIdGuardFilter(mapper)),
                new Named("session-availability", new SessionAvailabilityFilter(mapper)),
                new Named("session-touch", new SessionTouchFilter(savePeriod)));
    }
}
