package dev.tandem.session;

import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.session.ManagedSession;

/**
 * Jetty's servlet session handler, made to tell the truth about the cluster:
 * <ul>
 *   <li>a session that exists but cannot be had right now (degraded cluster, busy lock, a node
 *   resuming from a pause) is reported in the request attribute {@link #UNAVAILABLE} instead of
 *   silently becoming "no session" (and then a fresh one);</li>
 *   <li>the request attribute {@link #FLUSH} stores the request's session now and throws if it
 *   cannot, or if ending the session failed (Jetty only logs a failed invalidation), so the API
 *   can answer 503 before it sends a success;</li>
 *   <li>a session write that fails while Jetty commits the response aborts that response instead
 *   of being logged under a 200;</li>
 *   <li>a change of the session's id that the cluster does not take fails the request's
 *   {@code changeSessionId} instead of handing the client an id nobody stored.</li>
 * </ul>
 * Both attributes hold JDK types only, so a webapp that cannot see Jetty's classes can use them.
 */
public final class ClusterSessionHandler extends SessionHandler {
    /** Request attribute: why the requested session cannot be had (a String), when it cannot. */
    public static final String UNAVAILABLE = "dev.tandem.session.unavailable";
    /** Request attribute: a {@code Callable<Void>} that stores the request's session or throws. */
    public static final String FLUSH = "dev.tandem.session.flush";
    /**
     * Servlet context attribute: a {@code Predicate<HttpSession>} saying whether a request that only
     * reads the session (GET, HEAD) would still write it (the application's periodic touch, its end
     * of a session past its lifetime). Such a request takes the session alone; the others read it
     * together. Without it every request takes the session alone.
     */
    public static final String WRITES_DUE = "dev.tandem.session.writesDue";

    private final SessionRequestScope scope;

    ClusterSessionHandler(SessionRequestScope scope) {
        this.scope = scope;
    }

    @Override
    protected RequestedSession resolveRequestedSessionId(Request request) {
        RequestedSession[] resolved = new RequestedSession[1];
        SessionUnavailableException failure = scope.resolve(request.getMethod(), Request.getPathInContext(request),
                () -> resolved[0] = super.resolveRequestedSessionId(request));
        if (failure != null) {
            request.setAttribute(UNAVAILABLE, failure.reason());
        }
        request.setAttribute(FLUSH, (java.util.concurrent.Callable<Void>) () -> {
            ManagedSession session = getManagedSession(request);
            storeNow(session);
            if (session != null && getSessionCache() instanceof LockingSessionCache cache) {
                cache.throwIfEndFailed(session);
            }
            return null;
        });
        return resolved[0];
    }

    @Override
    public void commit(ManagedSession session) {
        storeNow(session);
    }

    /**
     * Jetty's change of a session's id, except that a failure is thrown, not logged: Jetty would go
     * on under the new id, which the cluster did not take, and send the client a cookie for a
     * session nobody stored. Thrown (on through {@code RandomSessionIds}), the request's session
     * keeps its id and the client its cookie.
     */
    @Override
    public void renewSessionId(String oldId, String oldExtendedId, String newId, String newExtendedId) {
        ManagedSession session = null;
        try {
            session = getSessionCache().renewSessionId(oldId, newId, oldExtendedId, newExtendedId);
            if (session != null) {
                onSessionIdChanged(session, oldId);
            }
        } catch (SessionUnavailableException e) {
            throw e;
        } catch (Exception e) {
            throw new SessionUnavailableException("the session's new id could not be stored", e);
        } finally {
            complete(session); // the copy the cache loaded to move: released as Jetty does
        }
    }

    private void storeNow(ManagedSession session) {
        if (session == null) {
            return;
        }
        try {
            getSessionCache().commit(session);
        } catch (SessionUnavailableException e) {
            throw e;
        } catch (Exception e) {
            throw new SessionUnavailableException("the session could not be stored", e);
        }
    }
}
