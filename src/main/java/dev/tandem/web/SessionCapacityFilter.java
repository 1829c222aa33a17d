package dev.tandem.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/**
 * The node's session cap: for a request that has no session yet, asking for a new one while the
 * node is at its cap ({@link SessionCapacity}) throws {@link SessionCapacityException}, which the
 * API answers {@code 503 session_capacity} with {@code Retry-After}. It is thrown where the session
 * would be created, before the resource changed anything, so the refused request changes nothing;
 * requests with a session, and requests that need none, are served as usual.
 */
public final class SessionCapacityFilter extends HttpFilter {
    private final SessionCapacity capacity;
    private final Counter refused;

    public SessionCapacityFilter(SessionCapacity capacity, MeterRegistry registry) {
        this.capacity = capacity;
        Gauge.builder("tandem.sessions.max", capacity, SessionCapacity::max)
                .description("Sessions this node holds before it refuses new ones (--max-sessions)")
                .register(registry);
        this.refused = Counter.builder("tandem.sessions.refused")
                .description("New sessions refused because the node held --max-sessions")
                .register(registry);
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (req.getSession(false) != null) {
            chain.doFilter(req, res);
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(req) {
            @Override
            public HttpSession getSession(boolean create) {
                HttpSession session = super.getSession(false);
                if (session != null || !create) {
                    return session;
                }
                if (capacity.full()) {
                    refused.increment();
                    throw new SessionCapacityException(capacity.max());
                }
                session = super.getSession(true);
                capacity.created();
                return session;
            }

            @Override
            public HttpSession getSession() {
                return getSession(true);
            }
        }, res);
    }
}
