package dev.tandem.api.errors;

import dev.tandem.web.ErrorBody;
import dev.tandem.web.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Builds the JSON error responses all mappers return. */
final class ErrorResponses {
    private ErrorResponses() {}

    static Response of(HttpServletRequest request, int status, String error, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(error, message, requestId(request)))
                .build();
    }

    static String requestId(HttpServletRequest request) {
        Object id = request == null ? null : request.getAttribute(RequestIds.ATTRIBUTE);
        return id instanceof String s ? s : RequestIds.pick(null);
    }
}
