package dev.tandem.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What every API test checks the same way: error bodies, node stamps, and "nothing changed". */
public final class ApiChecks {
    private static final HttpClient RAW = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private ApiChecks() {}

    /** The response names the node that served it and carries a request id. */
    public static void assertStamped(TestHttp.Reply r, String node) {
        assertThat(r.node()).as("X-Tandem-Node of %s %s", r.status(), r.body()).isEqualTo(node);
        assertThat(r.header("X-Request-Id")).as("X-Request-Id of %s %s", r.status(), r.body()).isNotBlank();
    }

    /**
     * A JSON error of our shape {error, message, requestId}: the request id matches the header,
     * and nothing of the server's insides leaks into the body.
     */
    public static JsonNode assertError(TestHttp.Reply r, int status, String error, String node) {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(status);
        assertStamped(r, node);
        assertThat(r.header("Content-Type")).as("Content-Type").startsWith("application/json");
        assertNoLeak(r);
        JsonNode body = r.json();
        assertThat(body.path("error").asText()).as("error code in %s", r.body()).isEqualTo(error);
        assertThat(body.path("message").asText()).as("message in %s", r.body()).isNotBlank();
        assertThat(body.path("requestId").asText()).as("requestId in %s", r.body()).isEqualTo(r.header("X-Request-Id"));
        assertThat(body.size()).as("fields of %s", r.body()).isEqualTo(3);
        return body;
    }

    /** No stack trace, exception class or server internals in the body. */
    public static void assertNoLeak(TestHttp.Reply r) {
        assertThat(r.body()).as("body of %s", r.status())
                .doesNotContain("Exception")
                .doesNotContain("at dev.")
                .doesNotContain("at org.")
                .doesNotContain("\tat ")
                .doesNotContainIgnoringCase("jsessionid=")
                .doesNotContainIgnoringCase("<html");
    }

    /** Everything the session holds as the API shows it (the "new" flag aside): equal snapshots, nothing changed. */
    public static JsonNode state(TestHttp client) {
        TestHttp.Reply session = client.get("/api/session");
        assertThat(session.status()).isEqualTo(200);
        ObjectNode s = (ObjectNode) session.json();
        s.remove("new");
        TestHttp.Reply cart = client.get("/api/cart");
        assertThat(cart.status()).isEqualTo(200);
        s.set("cart", cart.json());
        return s;
    }

    /** A session with something in every corner: counter 2, two attributes, a cart, a user. */
    public static TestHttp furnishedSession(NodeExtension node) {
        TestHttp c = node.client();
        assertThat(c.post("/api/login", "{\"user\":\"alice\"}").status()).isEqualTo(200);
        assertThat(c.post("/api/session/counter", null).status()).isEqualTo(200);
        assertThat(c.post("/api/session/counter", null).status()).isEqualTo(200);
        assertThat(c.put("/api/session/attributes/theme", "{\"dark\":true}").status()).isEqualTo(204);
        assertThat(c.put("/api/session/attributes/lang", "\"de\"").status()).isEqualTo(204);
        assertThat(c.post("/api/cart/items", "{\"sku\":\"apple\",\"qty\":3}").status()).isEqualTo(201);
        return c;
    }

    /**
     * A request exactly as given (any Content-Type or none, any headers), carrying the client's
     * session cookie if it has one. The client's cookie is not updated from the reply.
     */
    public static TestHttp.Reply raw(TestHttp client, String method, String path, String body, String... headers) {
        return raw(client.base(), client.sessionId(), method, path, body, headers);
    }

    public static TestHttp.Reply raw(URI base, String sessionId, String method, String path, String body,
                                     String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (sessionId != null) {
            b.header("Cookie", "JSESSIONID=" + sessionId);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r;
            try {
                r = RAW.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (!String.valueOf(e.getMessage()).contains("received no bytes")) {
                    throw e;
                }
                // A pooled connection the node had just closed (it closes one whose refused body it
                // did not read) gave no answer at all: the checks here are refusals that change
                // nothing, so the request is sent once more on a new connection.
                r = RAW.send(b.build(), HttpResponse.BodyHandlers.ofString());
            }
            return new TestHttp.Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
