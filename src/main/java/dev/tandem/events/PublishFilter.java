package dev.tandem.events;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a session change recorded by {@link SessionEvents} after the session was stored:
 * response filters run from the highest priority down, so this one (below USER) runs after
 * dev.tandem.api.SessionFlushFilter, which stores the session or turns the answer into a 503.
 * Like that one, it reads the servlet request's attributes as the request's properties.
 */
@Priority(Priorities.USER - 1000)
public final class PublishFilter implements ContainerResponseFilter {
    private static final Logger LOG = LoggerFactory.getLogger(PublishFilter.class);
    private final EventLog log;

    PublishFilter(EventLog log) {
        this.log = log;
    }

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext res) {
        if (!(req.getProperty(SessionEvents.PENDING) instanceof SessionEvents.Pending p)) {
            return;
        }
        req.removeProperty(SessionEvents.PENDING);
        if (res.getStatus() >= 300) {
            return; // not stored, nothing happened
        }
        try {
            log.publish(p.channel(), p.type(), p.data());
        } catch (RuntimeException e) {
            // The change itself is stored and acknowledged; listeners miss this one notice.
            LOG.warn("session change stored but its event could not be published: {}", e.toString());
        }
    }
}
