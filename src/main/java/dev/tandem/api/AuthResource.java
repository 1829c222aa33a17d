package dev.tandem.api;

import dev.tandem.api.errors.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/** Demo login: no password check, but real session handling (a new id on login, invalidation on logout). */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public final class AuthResource {
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
    private final NodeInfo node;
    private final SessionWork work;
    private final SessionChanges changes;

    public AuthResource(NodeInfo node, SessionWork work, SessionChanges changes) {
        this.node = node;
        this.work = work;
        this.changes = changes;
    }

    public record LoginRequest(String user) {}

    /** Who is logged in now; the new session id only in the (HttpOnly) cookie, never in the body. */
    public record LoginView(String user, String node) {}

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<LoginView> login(@Context HttpServletRequest request, LoginRequest body) {
        if (body == null || body.user() == null || !USER.matcher(body.user()).matches()) {
            throw ApiException.badRequest("'user' must be 1-64 of [A-Za-z0-9_.@-]");
        }
        return work.supply(() -> {
            HttpSession session = request.getSession(true);
            // Before the id changes: the session's event channel stays with it.
            changes.changed(request, session, "login", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("user", body.user()));
            // A fresh id at the privilege change, so an id planted before login is worthless (no fixation).
            request.changeSessionId();
            session.setAttribute(SessionData.USER, body.user());
            return new LoginView(body.user(), node.name());
        });
    }

    @POST
    @Path("logout")
    public CompletionStage<Response> logout(@Context HttpServletRequest request) {
        return work.supply(() -> {
            changes.changed(request, request.getSession(false), "logout", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
            SessionData.invalidate(request);
            return Response.noContent().build();
        });
    }
}
