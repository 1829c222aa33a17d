package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static dev.tandem.testing.ApiChecks.furnishedSession;
import static dev.tandem.testing.ApiChecks.raw;
import static dev.tandem.testing.ApiChecks.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The API takes JSON only: a state-changing request declaring any other body is a 415 that changes
 * nothing, also on endpoints that read no body; a request with no body and no Content-Type works.
 */
class JsonBodyTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    static Stream<Arguments> everyFormContentTypeOnEveryEndpoint() {
        List<Arguments> all = new ArrayList<>();
        for (String[] e : CrossSiteRequestTest.ENDPOINTS) {
            for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                    "application/xml", "text/plain; charset=utf-8")) {
                all.add(Arguments.of(e[0], e[1], type, e[2] == null ? "a=b" : e[2]));
            }
            // The content type alone decides, also with an empty body.
            all.add(Arguments.of(e[0], e[1], "text/plain", ""));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} as {2} ({3})")
    @MethodSource("everyFormContentTypeOnEveryEndpoint")
    void aBodyThatIsNotJsonIsA415AndChangesNothing(String method, String path, String contentType, String body) {
        TestHttp client = furnishedSession(node);
        JsonNode before = state(client);

        TestHttp.Reply r = raw(client, method, path, body, "Content-Type", contentType);

        assertError(r, 415, "unsupported_media_type", "t1");
        assertThat(r.setCookies()).isEmpty();
        assertThat(state(client)).isEqualTo(before);
    }

    @Test
    void jsonInAnotherCharsetOrWithAContentCodingOrWithoutAContentTypeIsA415() {
        TestHttp client = furnishedSession(node);
        JsonNode before = state(client);
        String body = "{\"sku\":\"pear\",\"qty\":1}";

        for (String[] headers : List.of(
                new String[] {"Content-Type", "application/json; charset=iso-8859-1"},
                new String[] {"Content-Type", "application/json; charset=no-such-charset"},
                new String[] {"Content-Type", "application/json", "Content-Encoding", "gzip"},
                new String[] {"Content-Type", "application/jsonx"},
                new String[] {})) {
            assertError(raw(client, "POST", "/api/cart/items", body, headers), 415, "unsupported_media_type", "t1");
        }
        assertThat(state(client)).isEqualTo(before);
        assertThat(raw(client, "POST", "/api/cart/items", body, "Content-Type", "Application/JSON; Charset=\"UTF-8\"")
                .status()).as("the same type spelled otherwise").isEqualTo(201);
    }

    @Test
    void aPostWithNoBodyAndNoContentTypeStillWorksAsCurlSendsIt() throws Exception {
        TestHttp client = furnishedSession(node);
        String cookie = "Cookie: JSESSIONID=" + client.sessionId() + "\r\n";

        // curl -X POST: no Content-Length, no Content-Type.
        RawExchange counter = RawExchange.send(node.uri(),
                "POST /api/session/counter HTTP/1.1\r\nHost: t1\r\n" + cookie + "Connection: close\r\n\r\n");
        assertThat(counter.status()).as(counter.body()).isEqualTo(200);
        assertThat(counter.body()).contains("\"value\":3");
        // A browser's fetch(url, {method: "POST"}): Content-Length: 0, no Content-Type.
        assertThat(client.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(4);
        assertThat(raw(client, "DELETE", "/api/session/attributes/lang", null).status()).isEqualTo(204);
        assertThat(raw(client, "POST", "/api/logout", null).status()).isEqualTo(204);
        assertThat(state(client).path("counter").asLong()).as("logged out: a fresh session").isZero();
    }
}
