package dev.tandem.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.SessionData;
import dev.tandem.api.SessionWork;
import dev.tandem.api.errors.ApiException;
import dev.tandem.cluster.ClusterView;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/** Posting to a room: a chat like Tornado's demo, for anyone with a session (one is made if needed). */
@Path("/api/rooms")
@Produces(MediaType.APPLICATION_JSON)
public final class RoomResource {
    /** Longest message, in characters. */
    static final int MAX_TEXT = 1000;

    private final EventLog log;
    private final SessionWork work;
    private final ClusterView cluster;
    private final ObjectMapper mapper;

    RoomResource(EventLog log, SessionWork work, ClusterView cluster, ObjectMapper mapper) {
        this.log = log;
        this.work = work;
        this.cluster = cluster;
        this.mapper = mapper;
    }

    public record Message(String text) {}

    @POST
    @Path("{room}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> post(@Context HttpServletRequest request, @PathParam("room") String room,
                                          Message message) {
        Channel channel = Channel.room(room);
        if (message == null || message.text() == null || message.text().isBlank()) {
            throw ApiException.badRequest("send {\"text\": \"...\"} with some text");
        }
        if (message.text().codePointCount(0, message.text().length()) > MAX_TEXT) {
            throw new ApiException(413, "payload_too_large", "a message may be at most " + MAX_TEXT + " characters");
        }
        // A node cut off from the majority must not number events the majority numbers too.
        cluster.notReadyReason().ifPresent(why -> {
            throw new ApiException(503, "unavailable", "this node cannot publish right now (" + why + "); retry shortly");
        });
        return work.supply(() -> {
            HttpSession session = request.getSession(true);
            ObjectNode data = mapper.createObjectNode().put("text", message.text());
            Object user = session.getAttribute(SessionData.USER);
            data.put("from", user instanceof String u ? u : "anonymous");
            Event event = log.publish(channel, "message", (JsonNode) data);
            return Response.status(201).entity(event).build();
        });
    }
}
