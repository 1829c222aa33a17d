package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpSession;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * The servlet filters in front of the API, in the order they must run, for the jar's Jetty and
 * for the WAR alike: stamp node and request id first, then time everything (also refusals), then
 * refuse cross-site writes and bodies that are not JSON, then refuse malformed session ids before
 * any session is touched, then answer 503 for a session the node cannot read right now (never a
 * fresh one in its place), then end a session past its absolute lifetime, then refuse new sessions
 * at the node's cap, then move the session's periodic write before the response.
 */
public final class ApiFilters {
    private ApiFilters() {}

    /** A filter and the name it is registered under. */
    public record Named(String name, Filter filter) {}

    /** What the session filters need to know. */
    public record SessionRules(Duration savePeriod, Duration absoluteLifetime, List<String> readOnlyPaths,
                               SessionCapacity capacity) {}

    /**
     * Whether a request that only reads a session would write it here: the touch is due, or the
     * session is past its lifetime (the session layer then gives that request the session alone).
     */
    public static Predicate<HttpSession> writesDue(SessionRules sessions) {
        SessionTouchFilter touch = new SessionTouchFilter(sessions.savePeriod());
        return session -> touch.due(session) || SessionLifetimeFilter.tooOld(session, sessions.absoluteLifetime());
    }

    public static List<Named> inOrder(String node, MeterRegistry registry, ObjectMapper mapper, SessionRules sessions) {
        return List.of(
                new Named("node-header", new NodeHeaderFilter(node)),
                new Named("metrics", new RequestMetricsFilter(registry)),
                new Named("cross-site", new CrossSiteRequestFilter(mapper)),
                new Named("json-body", new JsonBodyFilter(mapper)),
                new Named("session-id-guard", new SessionIdGuardFilter(mapper)),
                new Named("session-availability", new SessionAvailabilityFilter(mapper)),
                new Named("session-lifetime", new SessionLifetimeFilter(sessions.absoluteLifetime(),
                        sessions.readOnlyPaths(), mapper)),
                new Named("session-capacity", new SessionCapacityFilter(sessions.capacity(), registry)),
                new Named("session-touch", new SessionTouchFilter(sessions.savePeriod())));
    }
}
