package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * How a filter (or a plain servlet) refuses a request: the status and our JSON error body (a body
 * the request still has on its way closes the connection: {@link UnreadBodiesHandler}).
 */
public final class Refusals {
    private Refusals() {}

    public static void send(ObjectMapper mapper, HttpServletRequest req, HttpServletResponse res, int status, String error,
                     String message) throws IOException {
        res.setStatus(status);
        res.setContentType("application/json");
        mapper.writeValue(res.getOutputStream(), new ErrorBody(error, message, (String) req.getAttribute(RequestIds.ATTRIBUTE)));
    }
}
