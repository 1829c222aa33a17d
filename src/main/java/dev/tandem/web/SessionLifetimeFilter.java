package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.session.ClusterSessionHandler;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The absolute timeout of OWASP's session-management cheat sheet: a session older than the
 * lifetime (counted from its creation, which a login's new id keeps) is invalidated, on every
 * node, by its next request, which is answered {@code 401 session_expired} with the cookie cleared
 * and does nothing else; the client's next request starts without a session (a fresh, anonymous
 * one where it needs one) and the user must log in again. The idle timeout alone would keep a
 * session that is used every few seconds forever.
 *
 * <p>Why not go on with a fresh session in the same request: the session layer gives a session's
 * lock back when the request that holds it ends, and Jetty ends only the request's last session,
 * so a request that replaced its session would keep the old id locked for the lock's lease.
 *
 * <p>Requests on the read-only paths (long polls, streams) never write the session, so there the
 * old session is only hidden; the next ordinary request ends it. Invalidating waits on the cluster
 * on Jetty's request thread, once per session lifetime.
 */
public final class SessionLifetimeFilter extends HttpFilter {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLifetimeFilter.class);
    private final Duration lifetime;
    private final List<String> readOnlyPaths;
    private final ObjectMapper mapper;

    public SessionLifetimeFilter(Duration lifetime, List<String> readOnlyPaths, ObjectMapper mapper) {
        this.lifetime = lifetime;
        this.readOnlyPaths = List.copyOf(readOnlyPaths);
        this.mapper = mapper;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpSession session = req.getSession(false);
        if (session == null || !tooOld(session, lifetime)) {
            chain.doFilter(req, res);
            return;
        }
        String path = req.getRequestURI();
        if (readOnlyPaths.stream().anyMatch(path::startsWith)) {
            chain.doFilter(withoutSession(req), res);
            return;
        }
        try {
            session.invalidate();
            endedInTheCluster(req);
            LOG.debug("requestId={} the session reached its absolute lifetime of {} s and ended",
                    req.getAttribute(RequestIds.ATTRIBUTE), lifetime.toSeconds());
        } catch (IllegalStateException alreadyGone) {
            // another request ended it a moment ago: the same outcome
        } catch (Exception e) {
            LOG.info("requestId={} ending a session past its lifetime failed, answering 503: {}",
                    req.getAttribute(RequestIds.ATTRIBUTE), e.toString());
            res.setHeader("Retry-After", SessionAvailabilityFilter.RETRY_AFTER_SECONDS);
            Refusals.send(mapper, req, res, 503, "session_unavailable",
                    "your session has expired but could not be ended in the cluster yet; retry shortly");
            return;
        }
        res.addCookie(clearing(req));
        // The challenge RFC 9110 asks of a 401: log in again (a cookie, from POST /api/login).
        res.setHeader("WWW-Authenticate", "Cookie realm=\"tandem\", form-action=\"/api/login\"");
        Refusals.send(mapper, req, res, 401, "session_expired", "your session reached its maximum lifetime of "
                + lifetime.toSeconds() + " s and has ended; nothing was done, log in again");
    }

    /**
     * Throws if the cluster did not take the end: Jetty only logs a failed invalidation, and the
     * session layer's flush reports it ({@link ClusterSessionHandler#FLUSH}; absent without one).
     */
    private static void endedInTheCluster(HttpServletRequest req) throws Exception {
        if (req.getAttribute(ClusterSessionHandler.FLUSH) instanceof Callable<?> flush) {
            flush.call();
        }
    }

    /** Tells the browser to drop the dead id: the session cookie's name and scope, emptied and expired. */
    private static Cookie clearing(HttpServletRequest req) {
        SessionCookieConfig config = req.getServletContext().getSessionCookieConfig();
        Cookie cookie = new Cookie(config.getName() == null ? "JSESSIONID" : config.getName(), "");
        cookie.setPath(config.getPath() == null ? (req.getContextPath().isEmpty() ? "/" : req.getContextPath()) : config.getPath());
        cookie.setMaxAge(0);
        cookie.setHttpOnly(true);
        cookie.setSecure(req.isSecure());
        cookie.setAttribute("SameSite", "Lax");
        return cookie;
    }

    /** Whether the session has reached the absolute lifetime (its next request ends it). */
    static boolean tooOld(HttpSession session, Duration lifetime) {
        try {
            return System.currentTimeMillis() - session.getCreationTime() >= lifetime.toMillis();
        } catch (IllegalStateException invalid) {
            return false;
        }
    }

    /** The request as if it carried no session (it must not write the old one here). */
    private static HttpServletRequest withoutSession(HttpServletRequest req) {
        return new HttpServletRequestWrapper(req) {
            @Override
            public HttpSession getSession(boolean create) {
                if (create) {
                    throw new IllegalStateException("no session is created on a read-only path");
                }
                return null;
            }

            @Override
            public HttpSession getSession() {
                return getSession(true);
            }

            @Override
            public boolean isRequestedSessionIdValid() {
                return false;
            }
        };
    }
}
