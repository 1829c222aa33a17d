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

/**
 * The session itself. The session is loaded by Jetty before this runs and written back (and
 * replicated) before the response leaves, so nothing here waits on the cluster.
 */
@Path("/api/session")
@Produces(MediaType.APPLICATION_JSON)
public final class SessionResource {
    private final NodeInfo node;
    private final SessionData data;

    public SessionResource(NodeInfo node, ObjectMapper mapper) {
        this.node = node;
        this.data = new SessionData(mapper);
    }

    public record SessionView(String id, boolean isNew, String node, String user, long counter,
                              Map<String, JsonNode> attributes) {
        @com.fasterxml.jackson.annotation.JsonProperty("new")
        public boolean isNew() {
            return isNew;
        }
    }

    public record CounterView(long value) {}

    @GET
    public SessionView get(@Context HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        return new SessionView(extendedId(session), session.isNew(), node.name(),
                (String) session.getAttribute(SessionData.USER), SessionData.counter(session), data.attributes(session));
    }

    @DELETE
    public Response invalidate(@Context HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        return Response.noContent().build();
    }

    @GET
    @Path("attributes/{name}")
    public JsonNode attribute(@Context HttpServletRequest request, @PathParam("name") String name) {
        JsonNode value = data.attribute(request.getSession(false), SessionData.checkName(name));
        if (value == null) {
            throw ApiException.notFound("no attribute '" + name + "' in this session");
        }
        return value;
    }

    @PUT
    @Path("attributes/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@Context HttpServletRequest request, @PathParam("name") String name, JsonNode value) {
        SessionData.checkName(name);
        if (value == null) {
            throw ApiException.badRequest("send a JSON value as the body");
        }
        data.putAttribute(() -> request.getSession(true), name, value);
        return Response.noContent().build();
    }

    @DELETE
    @Path("attributes/{name}")
    public Response remove(@Context HttpServletRequest request, @PathParam("name") String name) {
        data.removeAttribute(request.getSession(false), SessionData.checkName(name));
        return Response.noContent().build();
    }

    @POST
    @Path("counter")
    public CounterView increment(@Context HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        long next = SessionData.counter(session) + 1;
        session.setAttribute(SessionData.COUNTER, next);
        return new CounterView(next);
    }

    /** The id as the cookie carries it: cluster id plus this node's suffix. */
    private String extendedId(HttpSession session) {
        return session.getId() + "." + node.name();
    }
}
