package dev.tandem.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.RawHttp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a real node: an answer written before a request's body arrived (a refusal, an endpoint that
 * ignores its body) says it closes the connection, so a client that keeps connections alive never
 * sends its next request into a connection the node is closing (the body still on its way: Jetty
 * cannot tell where the next request would start). A body that arrived whole keeps the connection.
 */
class RefusedBodiesTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");
    /** The body is never sent: whatever the node's speed, it is still on its way when the answer comes. */
    private static final Duration STILL_ON_ITS_WAY = Duration.ZERO;
    private static final String LOGIN = "{\"user\":\"mallory\"}";

    private static String post(String path, String extraHeader, int length) {
        return "POST " + path + " HTTP/1.1\r\nHost: t1\r\nContent-Type: application/json\r\n"
                + (extraHeader.isEmpty() ? "" : extraHeader + "\r\n") + "Content-Length: " + length;
    }

    /** Sends {@code head} on a new connection, its body still on its way; the answer has {@code status}, says it closes, and does. */
    private static void assertAnsweredThenClosed(String head, String status) throws Exception {
        try (RawHttp http = new RawHttp(node.uri())) {
            String answer = http.exchange(head, null, STILL_ON_ITS_WAY);

            assertThat(answer).startsWith("HTTP/1.1 " + status).containsIgnoringCase("\r\nConnection: close\r\n");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aFilterRefusingAPostWhoseBodyIsStillOnItsWaySaysItClosesTheConnection() throws Exception {
        assertAnsweredThenClosed(post("/api/login", "Cookie: JSESSIONID=a.b.c", LOGIN.length()), "400");
    }

    @Test
    void aRouteThatDoesNotExistAnsweringAPostSaysItClosesTheConnectionToo() throws Exception {
        assertAnsweredThenClosed(post("/api/nope", "", 2), "404");
    }

    @Test
    void aBodyOverTheSizeLimitIsRefusedWithTheConnectionClosed() throws Exception {
        assertAnsweredThenClosed(post("/api/login", "", 70_000), "413"); // refused on its declared length alone
    }

    @Test
    void aCounterWriteThatIgnoresItsLateBodySaysItClosesTheConnectionThoughItSucceeded() throws Exception {
        String cookie;
        try (RawHttp http = new RawHttp(node.uri())) {
            String login = http.exchange(post("/api/login", "", LOGIN.length()), LOGIN, Duration.ZERO);
            assertThat(login).startsWith("HTTP/1.1 200");
            cookie = login.lines().filter(l -> l.regionMatches(true, 0, "Set-Cookie: JSESSIONID=", 0, 23))
                    .map(l -> l.substring(12, l.indexOf(';'))).findFirst().orElseThrow();
        }
        assertAnsweredThenClosed(post("/api/session/counter", "Cookie: " + cookie, 2), "200");
    }

    @Test
    void aPostWhoseBodyArrivedWithItsHeadersKeepsItsConnectionEvenWhenRefused() throws Exception {
        try (RawHttp http = new RawHttp(node.uri())) {
            String login = http.exchange(post("/api/login", "", LOGIN.length()), LOGIN, Duration.ZERO);
            String refused = http.exchange(post("/api/nope", "", 2), "{}", Duration.ZERO);
            String next = http.exchange("GET /api/node HTTP/1.1\r\nHost: t1", null, Duration.ZERO);

            assertThat(login).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("Connection:");
            assertThat(refused).startsWith("HTTP/1.1 404").doesNotContainIgnoringCase("Connection:");
            assertThat(next).startsWith("HTTP/1.1 200");
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
