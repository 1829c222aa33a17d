package dev.tandem.events;

import dev.tandem.api.errors.ApiException;
import jakarta.servlet.http.HttpSession;
import java.util.regex.Pattern;

/**
 * A channel: its name as clients write it ({@code session}, {@code room:<name>}) and the key it
 * is stored under. The session channel's key is the session's first id (kept in a session
 * attribute across login's id change), so the client never names it and nobody else can.
 */
public record Channel(String name, String key) {
    public static final String SESSION = "session";
    private static final String ROOM_PREFIX = "room:";
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Session attribute (a String, like every Tandem attribute) holding the session channel's key. */
    static final String SESSION_KEY_ATTRIBUTE = "tandem.events.channel";

    public static Channel room(String room) {
        if (room == null || !ROOM.matcher(room).matches()) {
            throw ApiException.badRequest("room names are 1-64 of [A-Za-z0-9_-]");
        }
        return new Channel(ROOM_PREFIX + room, "r:" + room);
    }

    /** The session's own channel; the key is set on the session on its first change (a write). */
    static Channel ofSession(HttpSession session, boolean remember) {
        Object stored = session.getAttribute(SESSION_KEY_ATTRIBUTE);
        String key = stored instanceof String s ? s : session.getId();
        if (remember && stored == null) {
            session.setAttribute(SESSION_KEY_ATTRIBUTE, key);
        }
        return new Channel(SESSION, "s:" + key);
    }

    /** A channel parameter as a client sent it; the session channel needs the caller's session. */
    static Channel parse(String name, HttpSession session) {
        if (name == null || name.isEmpty()) {
            throw ApiException.badRequest("'channel' is required: 'session' or 'room:<name>'");
        }
        if (name.equals(SESSION)) {
            if (session == null) {
                throw new ApiException(404, "no_session", "the session channel needs a session; there is none for this request");
            }
            return ofSession(session, false);
        }
        if (name.startsWith(ROOM_PREFIX)) {
            return room(name.substring(ROOM_PREFIX.length()));
        }
        throw ApiException.badRequest("'channel' must be 'session' or 'room:<name>'");
    }
}
