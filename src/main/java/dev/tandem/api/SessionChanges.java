package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * How the session resources announce a change of their session; the real-time API
 * (dev.tandem.events) publishes it once the session is stored, and only if it was.
 */
@FunctionalInterface
public interface SessionChanges {
    /**
     * Records a change of {@code session} (nothing when it is null). Call it before
     * {@code changeSessionId} or {@code invalidate}: what listens to a session follows it there.
     */
    void changed(HttpServletRequest request, HttpSession session, String type, JsonNode data);
}
