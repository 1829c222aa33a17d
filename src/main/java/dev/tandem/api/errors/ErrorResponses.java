package dev.tandem.api.errors;

import dev.tandem.web.ErrorBody;
import dev.tandem.web.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

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
     * Ours, not Jetty's error handling: Jersey maps the exception before the container sees it, and
     * without this the answer is a 400 bad_json or a 500 (tried; ProtocolErrorsTest pins the 413).
     */
    static Optional<Response> clientErrorInCauses(HttpServletRequest request, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            int code = jettyHttpCode(t);
            if (code >= 400 && code < 500) {
                // Jetty's reason can quote the request; ours cannot.
                return Optional.of(of(request, code, ErrorBody.codeFor(code), ErrorBody.sentenceFor(code)));
            }
        }
        return Optional.empty();
    }

    /**
     * The status of Jetty's HttpException, read reflectively: in a WAR, Jetty hides its classes
     * from the webapp, so naming the type would fail to load there.
     */
    private static int jettyHttpCode(Throwable t) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals("org.eclipse.jetty.http.HttpException")) {
                    try {
                        return (int) t.getClass().getMethod("getCode").invoke(t);
                    } catch (ReflectiveOperationException | RuntimeException ex) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    static String requestId(HttpServletRequest request) {
        Object id = request == null ? null : request.getAttribute(RequestIds.ATTRIBUTE);
        return id instanceof String s ? s : RequestIds.pick(null);
    }
}
