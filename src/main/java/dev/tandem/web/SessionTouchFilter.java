package dev.tandem.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Duration;

/**
 * Makes the periodic "still in use" write of a session happen before the response, never after.
 *
 * <p>Jetty writes a session whose attributes changed when the response commits, but defers the
 * write that only refreshes the access time until the request has ended, after the client has
 * its answer. That late write carries the whole session as it was loaded, so if it is delayed
 * (a cluster stalled by a crashed node) it can land after the client's next request was served
 * by another node and undo that acknowledged change. Marking the session dirty here, at most
 * every half save period, moves that write before the response; with Jetty's save period set,
 * nothing is left to write at the end of the request.
 */
public final class SessionTouchFilter extends HttpFilter {
    static final String SAVED_AT = "tandem.savedAt";
    private final long touchEveryMs;

    public SessionTouchFilter(Duration savePeriod) {
        this.touchEveryMs = Math.max(1, savePeriod.toMillis() / 2);
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpSession session = req.getSession(false);
        if (session != null && due(session)) {
            session.setAttribute(SAVED_AT, System.currentTimeMillis());
        }
        chain.doFilter(req, res);
    }

    /** Whether the session's periodic write is due (a request that reads it then writes it too). */
    public boolean due(HttpSession session) {
        Object savedAt = session.getAttribute(SAVED_AT);
        return !(savedAt instanceof Long last) || System.currentTimeMillis() - last >= touchEveryMs;
    }
}
