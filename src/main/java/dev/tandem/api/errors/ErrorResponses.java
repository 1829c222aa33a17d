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

    /**
     * A client error Jetty raised while the body was being read (e.g. 413 from the size limit on a
     * chunked body) reaches the mappers wrapped in whatever was reading; answer it as itself.
     */
    static java.util.Optional<Response> clientErrorInCauses(HttpServletRequest request, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.eclipse.jetty.http.HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                String message = http.getCode() == 413 ? "the request body is too large" : ((Throwable) http).getMessage();
                return java.util.Optional.of(of(request, http.getCode(), dev.tandem.web.ErrorBody.codeFor(http.getCode()), message));
            }
        }
        return java.util.Optional.empty();
    }

    static String requestId(HttpServletRequest request) {
        Object id = request == null ? null : request.getAttribute(RequestIds.ATTRIBUTE);
        return id instanceof String s ? s : RequestIds.pick(null);
    }
}
