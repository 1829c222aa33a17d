package dev.tandem.api.errors;

import dev.tandem.web.SessionCapacity;
import dev.tandem.web.SessionCapacityException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** The node holds as many sessions as it may (dev.tandem.web.SessionCapacityFilter): 503, retry later. */
@Provider
public final class SessionCapacityMapper implements ExceptionMapper<SessionCapacityException> {
    @Context
    private HttpServletRequest request;

    @Override
    public Response toResponse(SessionCapacityException e) {
        return Response.fromResponse(ErrorResponses.of(request, 503, "session_capacity", e.getMessage()))
                .header("Retry-After", SessionCapacity.RETRY_AFTER_SECONDS)
                .build();
    }
}
