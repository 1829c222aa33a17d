package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors Jetty raises itself (bad URIs, oversized headers or bodies, unavailable during stop) get the
 * same JSON body as the API's errors, never an HTML page or a stack trace. The message is ours, one
 * fixed sentence per status: Jetty's own reason can quote what the client sent (a header, a
 * character, the URI), and an error answer must never reflect the request's headers or cookies.
 * Jetty's reason goes to the log at DEBUG with the request id.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);
    private final ObjectMapper mapper;
    private final String node;

    public JsonErrorHandler(ObjectMapper mapper, String node) {
        this.mapper = mapper;
        this.node = node;
    }

    /** Jetty writes error bodies only for GET, POST and HEAD by default; PUT and DELETE get them too. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message,
                                    Throwable cause, Callback callback) throws IOException {
        Object existing = request.getAttribute(RequestIds.ATTRIBUTE);
        String requestId = existing instanceof String s ? s
                : RequestIds.pick(request.getHeaders().get(RequestIds.HEADER));
        if (code >= 500) {
            LOG.error("requestId={} status={} {}", requestId, code, message, cause);
        } else {
            LOG.debug("requestId={} status={} {}", requestId, code, message);
        }
        byte[] body = mapper.writeValueAsBytes(new ErrorBody(ErrorBody.codeFor(code), ErrorBody.sentenceFor(code), requestId));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("X-Tandem-Node", node);
        response.getHeaders().put(RequestIds.HEADER, requestId);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
