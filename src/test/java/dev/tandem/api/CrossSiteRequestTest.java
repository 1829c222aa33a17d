package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static dev.tandem.testing.ApiChecks.furnishedSession;
import static dev.tandem.testing.ApiChecks.raw;
import static dev.tandem.testing.ApiChecks.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.lifecycle.Readiness;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A browser sending a state-changing request on behalf of another site (a form, a no-cors fetch)
 * is refused with 403 before anything runs, whatever it sends; same-origin pages and clients that
 * are not browsers are served.
 */
class CrossSiteRequestTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    /** Every state-changing endpoint, with the JSON body it takes (null: none). */
    static final List<String[]> ENDPOINTS = List.of(
            new String[] {"POST", "/api/session/counter", null},
            new String[] {"POST", "/api/logout", null},
            new String[] {"POST", "/api/login", "{\"user\":\"mallory\"}"},
            new String[] {"PUT", "/api/session/attributes/theme", "\"mallory\""},
            new String[] {"DELETE", "/api/session/attributes/theme", null},
            new String[] {"DELETE", "/api/session", null},
            new String[] {"POST", "/api/cart/items", "{\"sku\":\"knife\",\"qty\":9}"},
            new String[] {"DELETE", "/api/cart/items/apple", null},
            new String[] {"POST", "/api/rooms/lobby/messages", "{\"text\":\"spam\"}"},
            new String[] {"POST", "/admin/drain", null});

    /** What a cross-site page can make a browser send, each with the headers the browser adds. */
    static final List<String[]> ATTACKS = List.of(
            new String[] {"Content-Type", "text/plain", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
            new String[] {"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example"},
            new String[] {"Content-Type", "multipart/form-data; boundary=x", "Origin", "https://evil.example"},
            new String[] {"Content-Type", "application/json", "Origin", "https://evil.example"},
            new String[] {"Content-Type", "text/plain", "Sec-Fetch-Site", "cross-site"},
            new String[] {"Content-Type", "application/json", "Origin", "null"},
            new String[] {"Content-Type", "application/json", "Origin", "http://127.0.0.1.evil.example"},
            new String[] {"Content-Type", "text/plain", "Origin", "http://127.0.0.1"});

    static Stream<Arguments> everyAttackOnEveryEndpoint() {
        List<Arguments> all = new ArrayList<>();
        for (String[] e : ENDPOINTS) {
            for (String[] a : ATTACKS) {
                all.add(Arguments.of(e[0], e[1], e[2] == null ? "text=x" : e[2], a));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} with {3}")
    @MethodSource("everyAttackOnEveryEndpoint")
    void aCrossSiteRequestIsA403AndChangesNothing(String method, String path, String body, String[] headers) {
        TestHttp victim = furnishedSession(node);
        JsonNode before = state(victim);
        long roomBefore = roomCursor(victim);

        TestHttp.Reply r = raw(victim, method, path, body, headers);

        assertError(r, 403, "cross_site_request", "t1");
        assertThat(r.setCookies()).isEmpty();
        assertThat(state(victim)).isEqualTo(before);
        assertThat(roomCursor(victim)).as("no message posted").isEqualTo(roomBefore);
        assertThat(node.node().readiness().state()).as("not draining").isEqualTo(Readiness.State.SERVING);
    }

    @Test
    void theSameSiteOriginAsTheNodeSeesItIsServed() {
        TestHttp client = furnishedSession(node);
        String origin = "http://127.0.0.1:" + node.uri().getPort();

        TestHttp.Reply r = raw(client, "POST", "/api/session/counter", null, "Origin", origin, "Sec-Fetch-Site", "same-origin");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("value").asLong()).isEqualTo(3);
        assertThat(raw(client, "PUT", "/api/session/attributes/theme", "\"light\"", "Content-Type", "application/json",
                "Origin", "HTTP://127.0.0.1:" + node.uri().getPort()).status()).isEqualTo(204);
        assertThat(state(client).path("attributes").path("theme").asText()).isEqualTo("light");
    }

    @Test
    void anotherPortOrSchemeOnTheSameHostIsAnotherOrigin() {
        TestHttp client = furnishedSession(node);
        JsonNode before = state(client);
        int port = node.uri().getPort();
        for (String origin : List.of("http://127.0.0.1:" + (port == 65535 ? port - 1 : port + 1), "https://127.0.0.1:" + port,
                "http://127.0.0.1", "http://localhost:" + port, "http://127.0.0.1:" + port + "/path")) {
            assertError(raw(client, "POST", "/api/session/counter", null, "Origin", origin), 403, "cross_site_request", "t1");
        }
        assertThat(state(client)).isEqualTo(before);
    }

    @Test
    void behindATrustedProxyTheOriginIsComparedWithTheForwardedSchemeAndTheHostHeader() throws Exception {
        String request = "POST /api/session/counter HTTP/1.1\r\nHost: shop.example\r\nX-Forwarded-Proto: https\r\n"
                + "Origin: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

        RawExchange same = RawExchange.send(node.uri(), request.formatted("https://shop.example"));
        assertThat(same.status()).as(same.body()).isEqualTo(200);
        RawExchange sameWithPort = RawExchange.send(node.uri(), request.formatted("https://shop.example:443"));
        assertThat(sameWithPort.status()).as(sameWithPort.body()).isEqualTo(200);

        RawExchange downgraded = RawExchange.send(node.uri(), request.formatted("http://shop.example"));
        assertThat(downgraded.status()).isEqualTo(403);
        assertThat(downgraded.body()).contains("\"error\":\"cross_site_request\"");
        assertThat(downgraded.header("Set-Cookie")).as("no session made").isNull();
    }

    @Test
    void readsAreNotRefusedAndClientsThatSendNeitherHeaderAreServed() {
        TestHttp client = furnishedSession(node);
        assertThat(raw(client, "GET", "/api/session", null, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
                .status()).isEqualTo(200);
        assertThat(client.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(3);
        assertThat(raw(client, "POST", "/api/session/counter", null, "Sec-Fetch-Site", "same-site").status())
                .as("same-site without an Origin: not a cross-site request by Fetch Metadata").isEqualTo(200);
    }

    /** The last event id of the room the attacks post to: unchanged = nothing posted. */
    private static long roomCursor(TestHttp client) {
        TestHttp.Reply r = client.get("/api/events?channel=room:lobby");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("cursor").asLong();
    }
}
