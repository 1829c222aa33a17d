package dev.tandem.api;

import dev.tandem.session.ClusterSessionHandler;
import dev.tandem.web.ErrorBody;
import dev.tandem.web.RequestIds;
import dev.tandem.web.SessionAvailabilityFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the request's session before its answer is written, and turns a refused or failed write
 * into {@code 503 session_unavailable}: a client is never told "done" for a change the cluster
 * did not take. (Jetty would store it a moment later, while committing the response, where a
 * failure can only be logged or cut the connection.)
 *
 * <p>It reads the servlet request's attributes as the request's properties (what they are in a
 * servlet container), not through an injected {@code HttpServletRequest}: in a singleton that is
 * a proxy, and each call on it looks the request up in HK2's request scope (issue 16's profile).
 */
public final class SessionFlushFilter implements ContainerResponseFilter {
    private static final Logger LOG = LoggerFactory.getLogger(SessionFlushFilter.class);

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext res) {
        if (!(req.getProperty(ClusterSessionHandler.FLUSH) instanceof Callable<?> flush)) {
            return;
        }
        try {
            flush.call();
        } catch (Exception e) {
            String requestId = (String) req.getProperty(RequestIds.ATTRIBUTE);
            LOG.info("requestId={} session write refused, answering 503: {}", requestId, e.getMessage());
            res.setStatus(503);
            res.getHeaders().putSingle("Retry-After", SessionAvailabilityFilter.RETRY_AFTER_SECONDS);
            res.setEntity(new ErrorBody("session_unavailable",
                    "your change could not be stored in the cluster and was not applied; retry shortly", requestId),
                    res.getEntityAnnotations(), MediaType.APPLICATION_JSON_TYPE);
        }
    }
}
