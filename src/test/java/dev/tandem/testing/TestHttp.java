package dev.tandem.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A small HTTP client for tests that behaves like one browser: it keeps the JSESSIONID cookie it
 * was given, whichever node or address it talks to next.
 */
public final class TestHttp {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private URI base;
    private String sessionCookie;
    private Duration timeout = Duration.ofSeconds(20);

    public TestHttp(URI base) {
        this.base = base;
    }

    public TestHttp at(URI newBase) {
        this.base = newBase;
        return this;
    }

    public TestHttp timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    public URI base() {
        return base;
    }

    /** The JSESSIONID value this client holds (null before the first session). */
    public String sessionId() {
        return sessionCookie;
    }

    public void sessionId(String id) {
        this.sessionCookie = id;
    }

    public Reply get(String path) {
        return send("GET", path, null);
    }

    /** The value of the first line of this node's /metrics (Prometheus text) starting with {@code name}. */
    public OptionalDouble metric(String name) {
        return get("/metrics").body().lines().filter(l -> l.startsWith(name))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst();
    }

    public Reply delete(String path) {
        return send("DELETE", path, null);
    }

    public Reply post(String path, String json) {
        return send("POST", path, json);
    }

    public Reply put(String path, String json) {
        return send("PUT", path, json);
    }

    public Reply send(String method, String path, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (sessionCookie != null) {
            b.header("Cookie", "JSESSIONID=" + sessionCookie);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Reply reply = new Reply(r.statusCode(), r.headers(), r.body());
            reply.sessionCookie().ifPresent(id -> sessionCookie = id);
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A response, read whole. */
    public record Reply(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public List<String> setCookies() {
            return headers.allValues("Set-Cookie");
        }

        public Optional<String> sessionCookie() {
            return setCookies().stream()
                    .filter(c -> c.startsWith("JSESSIONID="))
                    .map(c -> c.substring("JSESSIONID=".length(), c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                    .filter(v -> !v.isEmpty())
                    .findFirst();
        }

        public String node() {
            return header("X-Tandem-Node");
        }
    }
}
