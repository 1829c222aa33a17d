package dev.tandem.events;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * How the session resources announce a change: they call {@link #changed} while they work on the
 * session; {@link PublishFilter} publishes it once the session is stored, and only if it was.
 * (Without the events module, in the WAR, nothing is published.)
 */
public final class SessionEvents {
    /** Same as dev.tandem.api.SessionData.USER: who is logged in. */
    static final String USER = "tandem.user";
    static final String PENDING = "dev.tandem.events.pending";

    private SessionEvents() {}

    record Pending(Channel channel, String type, JsonNode data) {}

    /**
     * Records a change of this session to publish on its channel once it is stored. Call it
     * before {@code changeSessionId} or {@code invalidate}: the channel stays with the session.
     */
    public static void changed(HttpServletRequest request, HttpSession session, String type, JsonNode data) {
        if (session == null) {
            return;
        }
        request.setAttribute(PENDING, new Pending(Channel.ofSession(session, true), type, data));
    }
}
