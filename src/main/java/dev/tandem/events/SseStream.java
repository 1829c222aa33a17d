package dev.tandem.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One server-sent-events stream, written with the servlet API's non-blocking output: a write
 * happens only when the socket can take it ({@link ServletOutputStream#isReady}), so no thread ever
 * waits on a client, and a client that stops reading delays nobody else.
 *
 * <p><b>Backlog.</b> A stream holds no queue of its own: it keeps a cursor into the channel's
 * replay buffer (shared by every listener of the channel) and, while its socket is full, at most
 * one chunk of {@link #MAX_CHUNK_BYTES} in Jetty's hands. What it has not sent yet stays in the
 * buffer; a stream that falls more than the buffer behind gets {@code event: expired} and goes on
 * from the oldest event held, as a reconnecting client would get 410.
 *
 * <p><b>Stalls.</b> When the socket has taken nothing for the write timeout, the stream is closed
 * (the pending write is aborted and the connection dropped); the client reconnects and resumes
 * from its Last-Event-ID, from the buffer. Each event carries {@code id:} for that.
 */
final class SseStream implements Waiter, WriteListener, AsyncListener {
    /** How long a browser waits before it reconnects (sent once, in the first chunk). */
    static final long RETRY_MS = 1000;
    /** One write carries events up to about this many bytes (a stalled stream pins at most one). */
    static final int MAX_CHUNK_BYTES = 32 * 1024;
    private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

    private final EventLog events;
    private final Channel channel;
    private final ChannelLog log;
    private final ObjectMapper mapper;
    private final String node;
    private final long writeTimeoutNanos;
    private final Timer deliveries;
    private AsyncContext async;
    private ServletOutputStream out;
    private long cursor;
    private boolean hello = true;
    private boolean heartbeatDue;
    private boolean draining;
    private boolean reconnectSent;
    private boolean unflushed;
    private volatile boolean closed;
    /** When the socket last refused more (System.nanoTime), 0 while it takes what we write. */
    private volatile long unreadySince;

    SseStream(EventLog events, Channel channel, ChannelLog log, ObjectMapper mapper, String node, long cursor,
              java.time.Duration writeTimeout, Timer deliveries) {
        this.events = events;
        this.channel = channel;
        this.log = log;
        this.mapper = mapper;
        this.node = node;
        this.cursor = cursor;
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.deliveries = deliveries;
    }

    /** Takes over the suspended request; the container calls {@link #onWritePossible} when it can write. */
    synchronized void open(AsyncContext async) throws IOException {
        this.async = async;
        async.setTimeout(0); // a stream ends on the client, at drain or at a stall; not on a timer
        async.addListener(this);
        this.out = async.getResponse().getOutputStream();
        out.setWriteListener(this);
    }

    @Override
    public synchronized void onWritePossible() {
        unreadySince = 0;
        pump();
    }

    @Override
    public synchronized void wake() {
        pump();
    }

    synchronized void heartbeat() {
        heartbeatDue = true;
        pump();
    }

    @Override
    public synchronized void drain() {
        draining = true;
        pump();
    }

    /** Closes the stream when its socket has taken nothing for the write timeout; true if it did. */
    boolean closeIfStalled(long now) {
        long since = unreadySince;
        if (since == 0 || now - since < writeTimeoutNanos || closed) {
            return false;
        }
        synchronized (this) {
            close();
        }
        return true;
    }

    /** Writes what is due while the socket takes it; returns as soon as it does not. */
    private void pump() {
        if (closed || out == null) {
            return;
        }
        try {
            while (out.isReady()) {
                if (unflushed) {
                    unflushed = false;
                    out.flush(); // the chunk leaves now, not when the response buffer is full
                    continue;
                }
                byte[] chunk = next();
                if (chunk == null) {
                    if (reconnectSent) {
                        close(); // written and flushed: the stream ends cleanly
                    }
                    return;
                }
                out.write(chunk);
                unflushed = true;
            }
            if (unreadySince == 0) {
                unreadySince = Math.max(1, System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            close(); // the client went away
        }
    }

    /** The next chunk due, or null when there is nothing to send. */
    private byte[] next() {
        String text = nextNotice();
        if (text != null) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (reconnectSent) {
            return null; // nothing after the reconnect hint; the stream closes
        }
        List<Event> ready;
        try {
            ready = log.after(cursor, ChannelViews.CAPACITY);
        } catch (ChannelLog.Expired e) {
            // Say so, then go on from the oldest event still held.
            cursor = e.oldest - 1;
            return ("event: expired\ndata: {\"error\":\"cursor_expired\",\"oldest\":" + e.oldest + "}\n\n")
                    .getBytes(StandardCharsets.UTF_8);
        }
        if (ready.isEmpty()) {
            if (heartbeatDue) {
                heartbeatDue = false;
                return HEARTBEAT;
            }
            return null;
        }
        heartbeatDue = false;
        long now = System.currentTimeMillis();
        if (ready.size() == 1) {
            return sent(ready.get(0), now); // the usual case: the shared bytes themselves
        }
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        for (Event e : ready) {
            chunk.writeBytes(sent(e, now));
            if (chunk.size() >= MAX_CHUNK_BYTES) {
                break;
            }
        }
        return chunk.toByteArray();
    }

    /** The hello or the reconnect hint, when one is due (they go before any event). */
    private String nextNotice() {
        if (hello) {
            hello = false;
            ObjectNode h = mapper.createObjectNode().put("channel", channel.name()).put("node", node).put("cursor", cursor);
            return "retry: " + RETRY_MS + "\nevent: hello\ndata: " + json(h) + "\n\n";
        }
        if (draining && !reconnectSent) {
            reconnectSent = true;
            return "event: reconnect\ndata: {\"reason\":\"draining\",\"node\":\"" + node + "\"}\n\n";
        }
        return null;
    }

    /** The event's chunk, with the cursor moved past it and its delivery delay recorded. */
    private byte[] sent(Event e, long now) {
        cursor = e.id();
        // Publish time is the publisher's clock: across hosts this includes their clock offset.
        deliveries.record(Math.max(0, now - e.time()), TimeUnit.MILLISECONDS);
        return log.sse(e, this::format);
    }

    /**
     * Ends the stream. With the socket ready it ends cleanly; with a write pending the container
     * aborts the response and drops the connection (Jetty: "Completed whilst write unready").
     */
    private void close() {
        if (closed) {
            return;
        }
        markClosed();
        try {
            async.complete();
        } catch (IllegalStateException alreadyEnded) {
            // the container ended it first (client gone)
        }
    }

    private void markClosed() {
        closed = true;
        events.unsubscribe(channel.key(), this);
    }

    @Override
    public synchronized void onError(Throwable t) {
        close();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        if (!closed) {
            markClosed();
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // no timeout is set
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not restarted
    }

    boolean isClosed() {
        return closed;
    }

    private String format(Event e) {
        ObjectNode body = mapper.valueToTree(e);
        body.remove("uid");
        body.put("via", node);
        return "id: " + e.id() + "\nevent: " + e.type() + "\ndata: " + json(body) + "\n\n";
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
