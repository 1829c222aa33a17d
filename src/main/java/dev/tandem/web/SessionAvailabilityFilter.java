package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.session.ClusterSessionHandler;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A session the client names that this node cannot read right now (see
 * {@link ClusterSessionHandler}) is answered {@code 503 session_unavailable} with
 * {@code Retry-After} before anything runs, so no resource can hand out a fresh session in its
 * place. Health checks are answered as usual: they do not use the session.
 */
public final class SessionAvailabilityFilter extends HttpFilter {
    /** Seconds a client should wait before it tries again. */
    public static final String RETRY_AFTER_SECONDS = "1";

    private final ObjectMapper mapper;

    public SessionAvailabilityFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Object why = req.getAttribute(ClusterSessionHandler.UNAVAILABLE);
        if (why != null && !req.getRequestURI().startsWith("/health/")) {
            res.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            Refusals.send(mapper, req, res, 503, "session_unavailable",
                    "this node cannot read your session right now (" + why + "); retry shortly");
            return;
        }
        chain.doFilter(req, res);
    }
}
