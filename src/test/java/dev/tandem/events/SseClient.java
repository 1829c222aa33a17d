package dev.tandem.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A test's EventSource: reads an SSE stream on its own thread, keeps every event with an id, and
 * (like a browser) reconnects with Last-Event-ID when the stream ends, to {@code reconnectTo}.
 */
final class SseClient implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    record Received(long id, String type, JsonNode data) {}

    private final String channel;
    private final String cookie;
    private final List<Received> events = new CopyOnWriteArrayList<>();
    private final List<String> served = new CopyOnWriteArrayList<>();
    private final List<String> notices = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile URI base;
    private volatile URI reconnectTo;
    private volatile boolean closed;
    private volatile Stream<String> current;
    private volatile String lastId;

    SseClient(URI base, String channel, String cookie) {
        this.base = base;
        this.reconnectTo = base;
        this.channel = channel;
        this.cookie = cookie;
        this.reader = new Thread(this::run, "sse-" + channel);
        reader.setDaemon(true);
        reader.start();
    }

    SseClient reconnectTo(URI uri) {
        this.reconnectTo = uri;
        return this;
    }

    private void run() {
        while (!closed) {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/api/events/stream?channel="
                        + URLEncoder.encode(channel, StandardCharsets.UTF_8)));
                if (cookie != null) {
                    b.header("Cookie", "JSESSIONID=" + cookie);
                }
                if (lastId != null) {
                    b.header("Last-Event-ID", lastId);
                }
                HttpResponse<Stream<String>> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines());
                if (r.statusCode() == 200) {
                    current = r.body();
                    read(r.body());
                } else {
                    notices.add("status " + r.statusCode());
                }
            } catch (IOException | RuntimeException e) {
                notices.add(e.toString());
            } catch (InterruptedException e) {
                return;
            }
            base = reconnectTo;
            try {
                Thread.sleep(200); // the stream's "retry:" is 1 s; a test need not wait that long
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void read(Stream<String> lines) {
        String[] id = {null};
        String[] type = {"message"};
        StringBuilder data = new StringBuilder();
        lines.forEach(line -> {
            if (line.isEmpty()) {
                if (data.length() > 0) {
                    JsonNode json = parse(data.toString());
                    if (type[0].equals("hello")) {
                        served.add(json.path("node").asText());
                    } else if (id[0] != null) {
                        lastId = id[0];
                        events.add(new Received(Long.parseLong(id[0]), type[0], json));
                    } else {
                        notices.add(type[0]);
                    }
                }
                id[0] = null;
                type[0] = "message";
                data.setLength(0);
            } else if (line.startsWith("id: ")) {
                id[0] = line.substring(4);
            } else if (line.startsWith("event: ")) {
                type[0] = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data.append(line.substring(6));
            }
        });
    }

    private static JsonNode parse(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(s, e);
        }
    }

    List<Received> events() {
        return new ArrayList<>(events);
    }

    /** Nodes that served this client's streams, in order (from each stream's hello). */
    List<String> served() {
        return new ArrayList<>(served);
    }

    List<String> notices() {
        return new ArrayList<>(notices);
    }

    @Override
    public void close() {
        closed = true;
        Stream<String> s = current;
        if (s != null) {
            s.close();
        }
        reader.interrupt();
    }
}
