package dev.tandem.events;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One suspended long poll: answered once, with events, with 204 at its timeout, or at drain. An
 * answer with events is written on the container's threads ({@code AsyncContext.start}), never on
 * the event thread that woke it: a client that does not read its answer must not hold up the
 * delivery to every other listener.
 */
final class LongPoll implements Waiter {
    private final EventLog events;
    private final Channel channel;
    private final ChannelLog log;
    private final long cursor;
    private final AsyncResponse response;
    private final Executor writer;
    private final Function<List<Event>, Response> answer;
    private final Function<ChannelLog.Expired, Response> expired;
    private final AtomicBoolean done = new AtomicBoolean();

    LongPoll(EventLog events, Channel channel, ChannelLog log, long cursor, AsyncResponse response, Executor writer,
             Function<List<Event>, Response> answer, Function<ChannelLog.Expired, Response> expired) {
        this.events = events;
        this.channel = channel;
        this.log = log;
        this.cursor = cursor;
        this.response = response;
        this.writer = writer;
        this.answer = answer;
        this.expired = expired;
    }

    @Override
    public void wake() {
        List<Event> ready;
        try {
            ready = log.after(cursor, ChannelViews.CAPACITY);
        } catch (ChannelLog.Expired e) {
            finish(expired.apply(e), writer);
            return;
        }
        if (!ready.isEmpty()) {
            finish(answer.apply(ready), writer);
        }
    }

    /** Nothing arrived in time: 204, the client asks again with the same cursor. */
    void timedOut() {
        if (!finish(Response.noContent().build(), Runnable::run)) {
            // Events were handed to a writer just now: give it the time to answer (Jersey would
            // otherwise answer 503 for a poll still suspended when its timeout handler returns).
            response.setTimeout(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void drain() {
        // 204 as at a timeout: the client asks again at once, and the balancer sends it elsewhere.
        finish(Response.noContent().header("Connection", "close").build(), Runnable::run);
    }

    private boolean finish(Response r, Executor on) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        events.unsubscribe(channel.key(), this);
        try {
            on.execute(() -> response.resume(r));
        } catch (IllegalStateException | RejectedExecutionException gone) {
            // The request's asynchronous cycle is over (client gone, node stopping): nobody to answer.
        }
        return true;
    }
}
