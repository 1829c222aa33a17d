package dev.tandem.api.errors;

import dev.tandem.web.ErrorBody;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Unknown routes, wrong methods, wrong media types: JAX-RS's own 4xx, in our JSON shape. */
@Provider
public final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
    @Context
    private HttpServletRequest request;

    @Override
    public Response toResponse(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            // Path parameters (;jsessionid=...) are never echoed back.
            case 404 -> "no such resource: " + (request == null ? "" : request.getRequestURI().replaceAll(";[^/]*", ""));
            case 405 -> "method " + (request == null ? "" : request.getMethod()) + " is not allowed here";
            case 406 -> "this resource only produces application/json";
            case 415 -> "send the body as application/json";
            default -> ErrorBody.sentenceFor(status);
        };
        if (status >= 500) {
            return new UnexpectedExceptionMapper(request).toResponse(e);
        }
        Response response = ErrorResponses.of(request, status, ErrorBody.codeFor(status), message);
        if (e instanceof NotAllowedException) {
            return Response.fromResponse(response)
                    .header(HttpHeaders.ALLOW, e.getResponse().getHeaderString(HttpHeaders.ALLOW))
                    .build();
        }
        return response;
    }
}
