package dev.tandem.events;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/** One suspended long poll: answered once, with events, with 204 at its timeout, or at drain. */
final class LongPoll implements Waiter {
    private final EventLog events;
    private final Channel channel;
    private final ChannelLog log;
    private final long cursor;
    private final AsyncResponse response;
    private final Function<List<Event>, Response> answer;
    private final Function<ChannelLog.Expired, Response> expired;
    private final AtomicBoolean done = new AtomicBoolean();

    LongPoll(EventLog events, Channel channel, ChannelLog log, long cursor, AsyncResponse response,
             Function<List<Event>, Response> answer, Function<ChannelLog.Expired, Response> expired) {
        this.events = events;
        this.channel = channel;
        this.log = log;
        this.cursor = cursor;
        this.response = response;
        this.answer = answer;
        this.expired = expired;
    }

    @Override
    public void wake() {
        List<Event> ready;
        try {
            ready = log.after(cursor, EventsResource.MAX_EVENTS);
        } catch (ChannelLog.Expired e) {
            finish(expired.apply(e));
            return;
        }
        if (!ready.isEmpty()) {
            finish(answer.apply(ready));
        }
    }

    /** Nothing arrived in time: 204, the client asks again with the same cursor. */
    void timedOut() {
        finish(Response.noContent().build());
    }

    @Override
    public void drain() {
        // 204 as at a timeout: the client asks again at once, and the balancer sends it elsewhere.
        finish(Response.noContent().header("Connection", "close").build());
    }

    private void finish(Response r) {
        if (done.compareAndSet(false, true)) {
            events.unsubscribe(channel.key(), this);
            response.resume(r);
        }
    }
}
