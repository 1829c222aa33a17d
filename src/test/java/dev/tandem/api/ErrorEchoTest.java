package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Malformed requests, written byte for byte with a real session cookie: every error answer is our
 * JSON with our own sentence, and never reflects the cookie or any other request header.
 */
class ErrorEchoTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARK = "MARK42";
    private static String cookieValue;
    private static String headers;

    @BeforeAll
    static void aRealSession() {
        TestHttp client = node.client();
        client.post("/api/login", "{\"user\":\"victim\"}");
        cookieValue = client.sessionId();
        headers = "Cookie: JSESSIONID=" + cookieValue + "; theme=cookie" + MARK + "\r\nX-Note: <b>hdr" + MARK + "</b>\r\n";
    }

    static Stream<Arguments> malformedRequests() {
        String pad = "p".repeat(3000);
        return Stream.of(
                Arguments.of("a header flood (431)", 431, "GET /api/session HTTP/1.1\r\nHost: t1\r\n%s"
                        + "X-A: " + pad + "\r\nX-B: " + pad + "\r\nX-C: " + pad + "\r\n\r\n"),
                Arguments.of("one huge header (431)", 431, "GET /api/session HTTP/1.1\r\nHost: t1\r\n%sX-Big: "
                        + "q".repeat(9000) + MARK + "\r\n\r\n"),
                Arguments.of("bad UTF-8 in the path", 400, "GET /api/session/attributes/%%C3%%28" + MARK + " HTTP/1.1\r\nHost: t1\r\n%s\r\n"),
                Arguments.of("an ambiguous path segment", 400, "GET /api/%%2e%%2e/" + MARK + " HTTP/1.1\r\nHost: t1\r\n%s\r\n"),
                Arguments.of("an encoded path separator", 400, "GET /api/a%%2F" + MARK + " HTTP/1.1\r\nHost: t1\r\n%s\r\n"),
                Arguments.of("a control character in a header", 400, "GET /api/session HTTP/1.1\r\nHost: t1\r\n%sX-Bad: a\u0001" + MARK + "\r\n\r\n"),
                Arguments.of("a header name with a space", 400, "GET /api/session HTTP/1.1\r\nHost: t1\r\n%sX Y: " + MARK + "\r\n\r\n"),
                Arguments.of("a bad Content-Length", 400, "POST /api/session/counter HTTP/1.1\r\nHost: t1\r\n%sContent-Length: 12" + MARK + "\r\n\r\n"),
                Arguments.of("a bad Host port", 400, "GET /api/session HTTP/1.1\r\nHost: t1:" + MARK + "\r\n%s\r\n"),
                Arguments.of("a URI too long (414)", 414, "GET /" + "u".repeat(9000) + MARK + " HTTP/1.1\r\nHost: t1\r\n%s\r\n"),
                Arguments.of("an unknown charset", 415, "POST /api/login HTTP/1.1\r\nHost: t1\r\n%sContent-Type: application/json; charset="
                        + MARK + "\r\nContent-Length: 2\r\n\r\n{}"),
                Arguments.of("an Expect the node cannot meet", 417, "POST /api/session/counter HTTP/1.1\r\nHost: t1\r\n%sExpect: 100-" + MARK
                        + "\r\nContent-Length: 0\r\n\r\n"),
                Arguments.of("line folding", 400, "GET /api/session HTTP/1.1\r\nHost: t1\r\n%sX-Fold: a\r\n  " + MARK + "\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void anErrorAnswerNeverReflectsTheCookieOrAnyOtherHeader(String what, int status, String template) throws Exception {
        String request = template.formatted(headers).replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n");

        RawExchange r = RawExchange.send(node.uri(), request);

        assertThat(r.status()).as(what + ": " + r.head()).isEqualTo(status);
        String sessionPart = cookieValue.substring(0, cookieValue.indexOf('.'));
        assertThat(r.head() + r.body()).as(what).doesNotContain(sessionPart).doesNotContain(MARK).doesNotContain("<b>");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("error").asText()).isNotBlank();
        assertThat(body.path("message").asText()).isNotBlank();
        assertThat(body.path("requestId").asText()).isEqualTo(r.header("X-Request-Id"));
        assertThat(r.header("Content-Type")).startsWith("application/json");
    }
}
