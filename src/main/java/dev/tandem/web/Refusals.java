package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * How a filter (or a plain servlet) refuses a request: the status and our JSON error body, and
 * {@code Connection: close} when the request declared a body nobody read ({@link UnreadBodies}).
 */
public final class Refusals {
    private Refusals() {}

    public static void send(ObjectMapper mapper, HttpServletRequest req, HttpServletResponse res, int status, String error,
                     String message) throws IOException {
        res.setStatus(status);
        if (UnreadBodies.closeAfterError(req.getContentLengthLong(), req.getHeader("Transfer-Encoding"))) {
            res.setHeader(UnreadBodies.CONNECTION, UnreadBodies.CLOSE);
        }
        res.setContentType("application/json");
        mapper.writeValue(res.getOutputStream(), new ErrorBody(error, message, (String) req.getAttribute(RequestIds.ATTRIBUTE)));
    }
}
