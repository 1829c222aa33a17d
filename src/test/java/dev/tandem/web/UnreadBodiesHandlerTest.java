package dev.tandem.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.RawHttp;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On a bare Jetty with the handler at its root: {@code /ignore} answers without reading its body,
 * {@code /read} reads its body to the end first.
 */
class UnreadBodiesHandlerTest {
    private static final Duration LATE = Duration.ofMillis(100);
    private Server server;
    private URI uri;

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new UnreadBodiesHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (Request.getPathInContext(request).equals("/read")) {
                    Content.Source.asString(request, StandardCharsets.UTF_8);
                }
                response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        }));
        server.start();
        uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private static String post(String path, String framing) {
        return "POST " + path + " HTTP/1.1\r\nHost: t\r\n" + framing;
    }

    @Test
    void anAnswerWrittenBeforeTheBodyArrivedSaysItClosesTheConnection() throws Exception {
        // The body is never sent: still on its way when the answer comes, however slow the machine.
        try (RawHttp http = new RawHttp(uri)) {
            String answer = http.exchange(post("/ignore", "Content-Length: 2"), null, Duration.ZERO);

            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nConnection: close\r\n");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aChunkedBodyWhoseEndIsStillOnItsWayClosesTheConnectionToo() throws Exception {
        // The first chunk waits for nothing but is read late; the last chunk is never sent.
        try (RawHttp http = new RawHttp(uri)) {
            String answer = http.exchange(post("/ignore", "Transfer-Encoding: chunked"), "2\r\n{}\r\n", LATE);

            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nConnection: close\r\n");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void aBodyThatArrivedWholeKeepsItsConnectionThoughNobodyReadIt() throws Exception {
        try (RawHttp http = new RawHttp(uri)) {
            String answer = http.exchange(post("/ignore", "Content-Length: 2"), "{}", Duration.ZERO);
            String next = http.exchange(post("/ignore", "Content-Length: 2"), "{}", Duration.ZERO);

            assertThat(answer).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("Connection:");
            assertThat(next).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aLateBodyReadToItsEndKeepsItsConnection() throws Exception {
        try (RawHttp http = new RawHttp(uri)) {
            String answer = http.exchange(post("/read", "Content-Length: 2"), "{}", LATE);
            String next = http.exchange("GET /ignore HTTP/1.1\r\nHost: t", null, Duration.ZERO);

            assertThat(answer).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("Connection:");
            assertThat(next).startsWith("HTTP/1.1 200");
        }
    }
}
