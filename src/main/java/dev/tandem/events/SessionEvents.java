package dev.tandem.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.api.SessionChanges;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * The session resources' changes as events: {@link #changed} records one on the request while they
 * work on the session; {@link PublishFilter} publishes it once the session is stored, and only if it was.
 */
final class SessionEvents implements SessionChanges {
    static final String PENDING = "dev.tandem.events.pending";

    record Pending(Channel channel, String type, JsonNode data) {}

    /** The session's channel is taken now, so it stays with the session through a new id or its end. */
    @Override
    public void changed(HttpServletRequest request, HttpSession session, String type, JsonNode data) {
        if (session == null) {
            return;
        }
        request.setAttribute(PENDING, new Pending(Channel.ofSession(session, true), type, data));
    }
}
