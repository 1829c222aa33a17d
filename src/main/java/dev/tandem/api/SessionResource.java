package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.errors.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The session itself. Jetty loads the session before this runs (a local read: the cache is
 * replicated); the session is stored and replicated before the response says it changed
 * ({@link SessionFlushFilter}).
 */
@Path("/api/session")
@Produces(MediaType.APPLICATION_JSON)
public final class SessionResource {
    private final NodeInfo node;
    private final SessionData data;
    private final SessionWork work;
    private final SessionChanges changes;

    public SessionResource(NodeInfo node, ObjectMapper mapper, SessionWork work, SessionChanges changes) {
        this.node = node;
        this.data = new SessionData(mapper);
        this.work = work;
        this.changes = changes;
    }

    /**
     * The session as the client may see it. Not its id: the cookie is HttpOnly so that no script
     * on the page can read it, and a body that repeated it would undo that.
     */
    public record SessionView(boolean isNew, String node, String user, long counter,
                              Map<String, JsonNode> attributes) {
        @com.fasterxml.jackson.annotation.JsonProperty("new")
        public boolean isNew() {
            return isNew;
        }
    }

    public record CounterView(long value) {}

    @GET
    public CompletionStage<SessionView> get(@Context HttpServletRequest request) {
        return work.supply(() -> {
            HttpSession session = request.getSession(true);
            return new SessionView(session.isNew(), node.name(),
                    (String) session.getAttribute(SessionData.USER), SessionData.counter(session), data.attributes(session));
        });
    }

    @DELETE
    public CompletionStage<Response> invalidate(@Context HttpServletRequest request) {
        return work.supply(() -> {
            changes.changed(request, request.getSession(false), "invalidated", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
            SessionData.invalidate(request);
            return Response.noContent().build();
        });
    }

    @GET
    @Path("attributes/{name}")
    public CompletionStage<JsonNode> attribute(@Context HttpServletRequest request, @PathParam("name") String name) {
        SessionData.checkName(name);
        return work.supply(() -> {
            JsonNode value = data.attribute(request.getSession(false), name);
            if (value == null) {
                throw ApiException.notFound("no attribute '" + name + "' in this session");
            }
            return value;
        });
    }

    @PUT
    @Path("attributes/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> put(@Context HttpServletRequest request, @PathParam("name") String name, JsonNode value) {
        SessionData.checkName(name);
        if (value == null) {
            throw ApiException.badRequest("send a JSON value as the body");
        }
        return work.supply(() -> {
            data.putAttribute(() -> request.getSession(true), name, value);
            changes.changed(request, request.getSession(false), "attribute", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("name", name).set("value", value));
            return Response.noContent().build();
        });
    }

    @DELETE
    @Path("attributes/{name}")
    public CompletionStage<Response> remove(@Context HttpServletRequest request, @PathParam("name") String name) {
        SessionData.checkName(name);
        return work.supply(() -> {
            data.removeAttribute(request.getSession(false), name);
            changes.changed(request, request.getSession(false), "attribute", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("name", name).putNull("value"));
            return Response.noContent().build();
        });
    }

    @POST
    @Path("counter")
    public CompletionStage<CounterView> increment(@Context HttpServletRequest request) {
        return work.supply(() -> {
            HttpSession session = request.getSession(true);
            long next = SessionData.counter(session) + 1;
            session.setAttribute(SessionData.COUNTER, next);
            changes.changed(request, session, "counter", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("value", next));
            return new CounterView(next);
        });
    }
}
