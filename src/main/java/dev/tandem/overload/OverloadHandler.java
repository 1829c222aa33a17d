package dev.tandem.overload;

import dev.tandem.web.RequestIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The node's request budget, Jetty's {@link QoSHandler} with Tandem's answers: at most
 * {@link OverloadLimits#maxRequests()} requests are worked on at once; the next ones wait without
 * holding a thread, at most {@link OverloadLimits#queueTime()} and at most
 * {@link OverloadLimits#maxQueued()} of them, and are otherwise refused at once with 503, a JSON
 * error {@code overloaded} and {@code Retry-After}. A slot is held until the response is complete,
 * also while a request waits on the cluster: this is what bounds the threads session work holds.
 * <p>
 * Exempt, so they are never refused or starved: the health checks HAProxy and orchestrators read
 * (a busy node must not look dead), long polls and event streams (they wait without a thread for up
 * to 25 s and would fill every slot), the metrics a monitor scrapes under load, and /admin (a drain
 * must get through to an overloaded node).
 */
public final class OverloadHandler extends QoSHandler {
    /** Paths that bypass the budget (servlet-style specs: "/x/*" also matches "/x"). */
    public static final List<String> EXEMPT = List.of("/health/*", "/api/events/*", "/metrics", "/admin/*");

    private final OverloadLimits limits;
    private final Refusals refusals = new Refusals();
    private final String node;

    public OverloadHandler(OverloadLimits limits, String node) {
        this.limits = limits;
        this.node = node;
        setMaxRequestCount(limits.maxRequests());
        setMaxSuspendedRequestCount(limits.maxQueued());
        // ZERO would mean "wait forever" to QoSHandler; a zero budget is "never wait" (1 ms).
        setMaxSuspend(limits.queueTime().isZero() ? Duration.ofMillis(1) : limits.queueTime());
        excludePath(EXEMPT.toArray(String[]::new));
    }

    /**
     * For a WAR node's etc/tandem-overload.xml: the budget from the same options file the webapp
     * reads (-Dtandem.config), or the defaults.
     */
    public static OverloadHandler fromProperties(String maxRequests, String maxQueued, String queueMs, String node) {
        OverloadLimits limits = OverloadLimits.defaults();
        if (given(maxRequests)) {
            limits = limits.withMaxRequests(Integer.parseInt(maxRequests.trim()));
        }
        if (given(maxQueued)) {
            limits = limits.withMaxQueued(Integer.parseInt(maxQueued.trim()));
        }
        if (given(queueMs)) {
            limits = limits.withQueueTime(Duration.ofMillis(Long.parseLong(queueMs.trim())));
        }
        return new OverloadHandler(limits, node == null ? "" : node);
    }

    private static boolean given(String property) {
        return property != null && !property.isBlank();
    }

    public OverloadLimits limits() {
        return limits;
    }

    public Refusals refusals() {
        return refusals;
    }

    /** Refused on arrival: the queue is full. */
    @Override
    protected void reject(Request request, Response response, Callback callback, int status) {
        refusals.queueFull();
        refuse(request, response, callback, "the node is at its limit of " + limits.maxRequests()
                + " requests and its queue is full; retry shortly");
    }

    /** Waited the whole budget (a TimeoutException); other failures of a resumed request stay Jetty's. */
    @Override
    protected void failSuspended(Request request, Response response, Callback callback, int status, Throwable failure) {
        if (status == getRejectStatusCode() && failure instanceof TimeoutException && !response.isCommitted()) {
            refusals.queueTimeout();
            refuse(request, response, callback, "no request slot became free within "
                    + limits.queueTime().toMillis() + " ms; retry shortly");
        } else {
            super.failSuspended(request, response, callback, status, failure);
        }
    }

    private void refuse(Request request, Response response, Callback callback, String message) {
        String requestId = RequestIds.pick(request.getHeaders().get(RequestIds.HEADER));
        // ErrorBody's JSON, written by hand: a WAR node's Jetty has no Jackson. Nothing here needs
        // escaping: the message is ours and a request id is [A-Za-z0-9._:-] (RequestIds).
        byte[] body = ("{\"error\":\"overloaded\",\"message\":\"" + message + "\",\"requestId\":\""
                + requestId + "\"}").getBytes(StandardCharsets.UTF_8);
        response.setStatus(HttpStatus.SERVICE_UNAVAILABLE_503);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(limits.retryAfterSeconds()));
        if (!node.isEmpty()) {
            response.getHeaders().put("X-Tandem-Node", node);
        }
        response.getHeaders().put(RequestIds.HEADER, requestId);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
