package dev.tandem.web;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * An answer that starts before its request's body has all arrived says {@code Connection: close}.
 *
 * <p>An answer can be written before anyone reads the body: a filter's or the overload handler's
 * refusal, a route that does not exist, an endpoint that ignores its body. When the rest of the body
 * is still on its way, Jetty cannot tell where the next request on the connection would start, so at
 * the end of the exchange it drops what arrived and closes the connection, but the answer is already
 * committed and cannot say so. A client that keeps connections alive (a browser, an HTTP library's
 * pool, HAProxy reusing a server connection) may then send its next request into a closing socket:
 * a lost request, and not a retryable one for a POST (CI saw the JDK's client fail that way).
 *
 * <p>So when the answer's first bytes are written, this takes what has already arrived of the body,
 * without waiting ({@link Request#consumeAvailable()}, Jetty's own check at the end of an exchange,
 * done early). If the body's end is there, nothing changes and the connection stays open, whether or
 * not the application read that far (a JSON parser stops at the end of its value and may never read
 * the stream's end). If not, Jetty marks the connection not persistent before the headers are
 * generated, and its generator adds {@code Connection: close}. Jetty's own error answers
 * ({@code Response.writeError}) and answers committed at the end of the exchange already do this;
 * this covers the answers an application writes.
 *
 * <p>The one thing it costs: the body's unread rest is gone once the answer starts, so an endpoint
 * that reads its body while it streams its answer (full duplex) would not work behind it. Tandem has
 * none. At the root of the handler tree in the jar (TandemServer) and in a WAR node's Jetty (module
 * tandem-overload), so that it sees every answer, the overload handler's refusals included.
 */
public final class UnreadBodiesHandler extends Handler.Wrapper {
    /** For a WAR node's Jetty, whose XML inserts it above the handlers already there. */
    public UnreadBodiesHandler() {}

    public UnreadBodiesHandler(Handler handler) {
        super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!declaresBody(request)) {
            return super.handle(request, response, callback);
        }
        return super.handle(request, new BodyEndCheck(request, response), callback);
    }

    /** Whether the request said it has a body: a {@code Content-Length} above 0 or a {@code Transfer-Encoding}. */
    static boolean declaresBody(Request request) {
        return request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) > 0
                || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    /** The response that, on its first write, takes what has arrived of the body before committing. */
    private static final class BodyEndCheck extends Response.Wrapper {
        BodyEndCheck(Request request, Response wrapped) {
            super(request, wrapped);
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            // Only the write that commits: the next ones start after it, committed.
            if (!isCommitted()) {
                getRequest().consumeAvailable();
            }
            super.write(last, content, callback);
        }
    }
}
