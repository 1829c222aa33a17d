package dev.tandem.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up pass's connection against a scripted server on loopback: each way HTTP/1.1 ends a response. */
class WarmupConnectionTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @Test
    void oneConnectionCarriesLengthChunkedAndEmptyAnswersAndANewOneFollowsAClose() throws Exception {
        List<String> answers = List.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 1\r\n\r\nx",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain");
        try (ScriptedServer server = new ScriptedServer(answers, 4);
             WarmupConnection connection = new WarmupConnection(server.address(), "localhost", 2_000)) {
            assertThat(connection.exchange(GET)).endsWith("\r\n\r\nok");
            assertThat(connection.exchange(GET)).endsWith("\r\n\r\nabcde");
            assertThat(connection.exchange(GET)).startsWith("HTTP/1.1 204").endsWith("\r\n\r\n");
            assertThat(connection.exchange(GET)).startsWith("HTTP/1.1 404").endsWith("\r\n\r\nx");
            assertThat(connection.exchange(GET)).endsWith("\r\n\r\nagain");
            assertThat(server.connections()).as("connections opened").isEqualTo(2);
        }
    }

    @Test
    void aConnectionClosedMidAnswerFailsThatExchangeAndTheNextOneReconnects() throws Exception {
        List<String> answers = List.of("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        try (ScriptedServer server = new ScriptedServer(answers, 1);
             WarmupConnection connection = new WarmupConnection(server.address(), "localhost", 2_000)) {
            assertThatThrownBy(() -> connection.exchange(GET)).isInstanceOf(IOException.class);
            assertThat(connection.exchange(GET)).endsWith("ok");
            assertThat(server.connections()).isEqualTo(2);
        }
    }
}
