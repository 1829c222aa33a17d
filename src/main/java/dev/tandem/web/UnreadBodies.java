package dev.tandem.web;

/**
 * An error answered to a request that declared a body ends its connection, and says so.
 *
 * <p>A refusal is written before anyone reads the request's body (a filter, the overload handler,
 * a route that does not exist), or after a parser gave up halfway through it. Jetty then drops what
 * has arrived of the body, but when the rest is still on its way it cannot tell where the next
 * request would start, so it closes the connection after the answer, without a
 * {@code Connection: close} in it. A client that keeps connections alive (a browser, an HTTP library's
 * pool) may send its next request on that connection before it sees it closed, and gets no answer:
 * a lost request, and not a retryable one for a POST (CI saw the JDK's client fail that way on the
 * request after a refused POST). With the header the client opens a new connection instead. Only
 * error answers (4xx, 5xx) to requests with a body pay for it, a new connection; no successful
 * answer does. JDK types only: the overload handler uses it in a WAR node's Jetty too.
 */
public final class UnreadBodies {
    public static final String CONNECTION = "Connection";
    public static final String CLOSE = "close";

    private UnreadBodies() {}

    /**
     * Whether an error answer to a request with this {@code Content-Length} (-1 when absent) and
     * {@code Transfer-Encoding} (null when absent) must close its connection: when it declared a body.
     */
    public static boolean closeAfterError(long contentLength, String transferEncoding) {
        return contentLength > 0 || transferEncoding != null;
    }
}
