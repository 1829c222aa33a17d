package dev.tandem.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.glassfish.jersey.server.ChunkedOutput;

/**
 * One server-sent-events stream. Jersey's ChunkedOutput keeps the response open without a
 * thread (the request is suspended); each chunk written here is flushed to the client.
 * Writes to one stream are serialized; each event carries {@code id:} so a browser resumes with
 * {@code Last-Event-ID} wherever it reconnects.
 */
final class SseStream implements Waiter {
    /** How long a browser waits before it reconnects (sent once, in the first chunk). */
    static final long RETRY_MS = 1000;

    private final EventLog events;
    private final Channel channel;
    private final ChannelLog log;
    private final ChunkedOutput<String> out;
    private final ObjectMapper mapper;
    private final String node;
    private long cursor;
    private boolean closed;

    SseStream(EventLog events, Channel channel, ChannelLog log, ChunkedOutput<String> out, ObjectMapper mapper,
              String node, long cursor) {
        this.events = events;
        this.channel = channel;
        this.log = log;
        this.out = out;
        this.mapper = mapper;
        this.node = node;
        this.cursor = cursor;
    }

    /** First chunk: reconnect delay and who serves the stream; then what the client missed. */
    synchronized void open() {
        ObjectNode hello = mapper.createObjectNode().put("channel", channel.name()).put("node", node).put("cursor", cursor);
        send("retry: " + RETRY_MS + "\nevent: hello\ndata: " + json(hello) + "\n\n");
        pump();
    }

    @Override
    public void wake() {
        synchronized (this) {
            pump();
        }
    }

    synchronized void heartbeat() {
        send(": heartbeat\n\n");
    }

    @Override
    public synchronized void drain() {
        send("event: reconnect\ndata: {\"reason\":\"draining\",\"node\":\"" + node + "\"}\n\n");
        close();
    }

    private void pump() {
        while (!closed) {
            List<Event> ready;
            try {
                ready = log.after(cursor, EventsResource.MAX_EVENTS);
            } catch (ChannelLog.Expired e) {
                // Say so, then go on from the oldest event still held.
                send("event: expired\ndata: {\"error\":\"cursor_expired\",\"oldest\":" + e.oldest + "}\n\n");
                cursor = e.oldest - 1;
                continue;
            }
            if (ready.isEmpty()) {
                return;
            }
            StringBuilder chunk = new StringBuilder();
            for (Event e : ready) {
                ObjectNode body = mapper.valueToTree(e);
                body.remove("uid");
                body.put("via", node);
                chunk.append("id: ").append(e.id()).append("\nevent: ").append(e.type())
                        .append("\ndata: ").append(json(body)).append("\n\n");
                cursor = e.id();
            }
            send(chunk.toString());
        }
    }

    private void send(String chunk) {
        if (closed) {
            return;
        }
        try {
            out.write(chunk);
        } catch (IOException | RuntimeException e) {
            close(); // the client went away
        }
    }

    private void close() {
        if (!closed) {
            closed = true;
            events.unsubscribe(channel.key(), this);
            try {
                out.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    boolean isClosed() {
        return closed || out.isClosed();
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
