package dev.tandem.api.errors;

import dev.tandem.session.SessionUnavailableException;
import dev.tandem.web.SessionAvailabilityFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** The cluster could not give or take the session (e.g. a new session in a minority): 503, retry. */
@Provider
public final class SessionUnavailableMapper implements ExceptionMapper<SessionUnavailableException> {
    @Context
    private HttpServletRequest request;

    @Override
    public Response toResponse(SessionUnavailableException e) {
        return Response.fromResponse(ErrorResponses.of(request, 503, "session_unavailable",
                        "the cluster cannot serve your session right now (" + e.reason() + "); retry shortly"))
                .header("Retry-After", SessionAvailabilityFilter.RETRY_AFTER_SECONDS)
                .build();
    }
}
