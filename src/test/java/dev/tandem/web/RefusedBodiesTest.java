package dev.tandem.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.RawHttp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An error answered before a request's body was read says it closes the connection, so a client
 * that keeps connections alive never sends its next request into a connection the node is closing
 * (the body still on its way: Jetty cannot tell where the next request would start).
 */
class RefusedBodiesTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");
    private static final Duration LATE = Duration.ofMillis(100);
    private static final String LOGIN = "{\"user\":\"mallory\"}";

    private static String post(String path, String extraHeader, int length) {
        return "POST " + path + " HTTP/1.1\r\nHost: t1\r\nContent-Type: application/json\r\n"
                + (extraHeader.isEmpty() ? "" : extraHeader + "\r\n") + "Content-Length: " + length;
    }

    @Test
    void aFilterRefusingAPostWhoseBodyIsStillOnItsWaySaysItClosesTheConnection() throws Exception {
        try (RawHttp http = new RawHttp(node.uri())) {
            String answer = http.exchange(post("/api/login", "Cookie: JSESSIONID=a.b.c", LOGIN.length()), LOGIN, LATE);

            assertThat(answer).startsWith("HTTP/1.1 400").containsIgnoringCase("\r\nConnection: close\r\n");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aRouteThatDoesNotExistAnsweringAPostSaysItClosesTheConnectionToo() throws Exception {
        try (RawHttp http = new RawHttp(node.uri())) {
            String answer = http.exchange(post("/api/nope", "", 2), "{}", LATE);

            assertThat(answer).startsWith("HTTP/1.1 404").containsIgnoringCase("\r\nConnection: close\r\n");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aBodyOverTheSizeLimitIsRefusedWithTheConnectionClosed() throws Exception {
        try (RawHttp http = new RawHttp(node.uri())) {
            // Refused on its declared length alone; the body is never sent.
            String answer = http.exchange(post("/api/login", "", 70_000), null, Duration.ZERO);

            assertThat(answer).startsWith("HTTP/1.1 413").containsIgnoringCase("\r\nConnection: close\r\n");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aRefusedRequestWithoutABodyKeepsItsConnectionForTheNextRequest() throws Exception {
        try (RawHttp http = new RawHttp(node.uri())) {
            String refused = http.exchange("GET /api/session HTTP/1.1\r\nHost: t1\r\nCookie: JSESSIONID=a.b.c", null, Duration.ZERO);
            String next = http.exchange("GET /api/node HTTP/1.1\r\nHost: t1", null, Duration.ZERO);

            assertThat(refused).startsWith("HTTP/1.1 400").doesNotContainIgnoringCase("Connection:");
            assertThat(next).startsWith("HTTP/1.1 200");
        }
    }
}
