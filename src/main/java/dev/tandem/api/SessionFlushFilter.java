package dev.tandem.api;

import dev.tandem.web.ErrorBody;
import dev.tandem.web.RequestIds;
import dev.tandem.web.SessionAvailabilityFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the request's session before its answer is written, and turns a refused or failed write
 * into {@code 503 session_unavailable}: a client is never told "done" for a change the cluster
 * did not take. (Jetty would store it a moment later, while committing the response, where a
 * failure can only be logged or cut the connection.)
 */
public final class SessionFlushFilter implements ContainerResponseFilter {
    /** Set by the session handler (dev.tandem.session.ClusterSessionHandler.FLUSH). */
    static final String FLUSH = "dev.tandem.session.flush";
    private static final Logger LOG = LoggerFactory.getLogger(SessionFlushFilter.class);

    @Context
    private HttpServletRequest request;

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext res) {
        if (!(request.getAttribute(FLUSH) instanceof Callable<?> flush)) {
            return;
        }
        try {
            flush.call();
        } catch (Exception e) {
            String requestId = (String) request.getAttribute(RequestIds.ATTRIBUTE);
            LOG.info("requestId={} session write refused, answering 503: {}", requestId, e.getMessage());
            res.setStatus(503);
            res.getHeaders().putSingle("Retry-After", SessionAvailabilityFilter.RETRY_AFTER_SECONDS);
            res.setEntity(new ErrorBody("session_unavailable",
                    "your change could not be stored in the cluster and was not applied; retry shortly", requestId),
                    res.getEntityAnnotations(), MediaType.APPLICATION_JSON_TYPE);
        }
    }
}
