package dev.tandem.api.errors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Our own bugs: logged in full with the request id; the client gets the id and no stack trace. */
@Provider
public final class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);

    @Context
    private HttpServletRequest request;

    public UnexpectedExceptionMapper() {}

    UnexpectedExceptionMapper(HttpServletRequest request) {
        this.request = request;
    }

    @Override
    public Response toResponse(Throwable e) {
        Optional<Response> clientError = ErrorResponses.clientErrorInCauses(request, e);
        if (clientError.isPresent()) {
            return clientError.get();
        }
        String requestId = ErrorResponses.requestId(request);
        LOG.error("requestId={} unexpected error on {} {}", requestId,
                request == null ? "?" : request.getMethod(), request == null ? "?" : request.getRequestURI(), e);
        return ErrorResponses.of(request, 500, "internal_error",
                "unexpected error; quote requestId " + requestId + " when reporting it");
    }
}
