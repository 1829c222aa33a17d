package dev.tandem.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.errors.ApiException;
import dev.tandem.web.ErrorBody;
import dev.tandem.web.RequestIds;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Listening: long poll ({@code GET /api/events}) and SSE ({@code GET /api/events/stream}). Both
 * suspend the request, so a waiting client holds no thread, and both read the session without
 * its lock (the path is in SessionLayer.READ_ONLY_PATHS), so waiting never blocks the
 * session's other requests.
 */
@Path("/api/events")
public final class EventsResource {
    /** Long polls wait at most this long: under HAProxy's 30 s client timeout. */
    static final int MAX_WAIT_SECONDS = 25;
    private static final Pattern CURSOR = Pattern.compile("[0-9]{1,18}");

    private final Events events;
    private final ObjectMapper mapper;
    private final String node;

    EventsResource(Events events, ObjectMapper mapper, String node) {
        this.events = events;
        this.mapper = mapper;
        this.node = node;
    }

    public record Batch(String channel, String node, List<Event> events, long cursor) {}

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public void poll(@Context HttpServletRequest request, @QueryParam("channel") String channelName,
                     @QueryParam("after") String after, @QueryParam("wait") String wait,
                     @Suspended AsyncResponse response) {
        Channel channel = Channel.parse(channelName, request.getSession(false));
        Long cursor = after == null ? null : cursor(after, "after");
        int waitSeconds = waitSeconds(wait);
        ChannelLog log = events.log().log(channel.key());
        if (cursor == null) {
            // No cursor: "from now"; the answer carries the cursor to wait on.
            response.resume(new Batch(channel.name(), node, List.of(), log.last()));
            return;
        }
        List<Event> ready;
        try {
            ready = log.after(cursor, ChannelViews.CAPACITY);
        } catch (ChannelLog.Expired e) {
            response.resume(expired(e, (String) request.getAttribute(RequestIds.ATTRIBUTE)));
            return;
        }
        if (!ready.isEmpty()) {
            response.resume(batch(channel, ready));
            return;
        }
        if (waitSeconds == 0 || events.draining()) {
            response.resume(Response.noContent().build());
            return;
        }
        String requestId = (String) request.getAttribute(RequestIds.ATTRIBUTE);
        // Jersey started the servlet's asynchronous mode when it suspended the request.
        AsyncContext async = request.getAsyncContext();
        LongPoll poll = new LongPoll(events.log(), channel, log, cursor, response, async::start,
                evs -> Response.ok(batch(channel, evs)).build(), e -> expired(e, requestId));
        response.setTimeout(waitSeconds, TimeUnit.SECONDS);
        response.setTimeoutHandler(r -> poll.timedOut());
        events.log().subscribe(channel.key(), poll);
        poll.wake(); // an event may have arrived between the read above and the subscription
    }

    /**
     * Validated here (bad input gets the API's JSON errors), then the suspended request is handed
     * to an {@link SseStream}, which writes it with the servlet API's non-blocking output.
     */
    @GET
    @Path("stream")
    @Produces("text/event-stream")
    public void stream(@Context HttpServletRequest request, @QueryParam("channel") String channelName,
                       @QueryParam("after") String after, @HeaderParam("Last-Event-ID") String lastEventId,
                       @Suspended AsyncResponse response) throws IOException {
        Channel channel = Channel.parse(channelName, request.getSession(false));
        Long cursor = null;
        if (lastEventId != null && !lastEventId.isEmpty()) {
            cursor = cursor(lastEventId, "Last-Event-ID"); // a browser's reconnect wins over the query
        } else if (after != null) {
            cursor = cursor(after, "after");
        }
        if (events.draining()) {
            throw new ApiException(503, "unavailable", "this node is draining; reconnect");
        }
        // Jersey started the servlet's asynchronous mode when it suspended the request: the stream
        // takes the response over and Jersey never writes it (the AsyncResponse is never resumed).
        AsyncContext async = request.getAsyncContext();
        HttpServletResponse raw = (HttpServletResponse) async.getResponse();
        raw.setStatus(200);
        raw.setContentType("text/event-stream;charset=utf-8");
        // Proxies and browsers must pass each chunk on as it comes.
        raw.setHeader("Cache-Control", "no-cache, no-transform");
        raw.setHeader("X-Accel-Buffering", "no");
        ChannelLog log = events.log().log(channel.key());
        SseStream stream = new SseStream(events.log(), channel, log, mapper, node,
                cursor != null ? cursor.longValue() : log.last(), events.writeTimeout(), events.deliveries());
        // Subscribed before the first chunk, so nothing published in between is missed.
        events.log().subscribe(channel.key(), stream);
        events.opened(stream);
        stream.open(async);
    }

    static Response expired(ChannelLog.Expired e, String requestId) {
        return Response.status(410).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody("cursor_expired", "events after your cursor were dropped; the oldest held is "
                        + e.oldest + ": start again from 'after=0' or without a cursor", requestId))
                .build();
    }

    private Batch batch(Channel channel, List<Event> ready) {
        return new Batch(channel.name(), node, ready, ready.get(ready.size() - 1).id());
    }

    private static long cursor(String value, String what) {
        if (!CURSOR.matcher(value).matches()) {
            throw ApiException.badRequest("'" + what + "' must be an event id (a non-negative integer)");
        }
        return Long.parseLong(value);
    }

    private static int waitSeconds(String value) {
        if (value == null) {
            return MAX_WAIT_SECONDS;
        }
        if (!value.matches("[0-9]{1,2}") || Integer.parseInt(value) > MAX_WAIT_SECONDS) {
            throw ApiException.badRequest("'wait' must be 0 to " + MAX_WAIT_SECONDS + " seconds");
        }
        return Integer.parseInt(value);
    }
}
