package dev.tandem.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pass's requests against a scripted server on loopback: how long each waits, and a session's end. */
class WarmupRequestsTest {
    private static final String NO_CONTENT = "HTTP/1.1 204 No Content\r\n\r\n";
    private static final String REFUSED = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";

    @Test
    void aRequestThatNamesASessionWaitsForASlowAnswerWhileOneWithoutGivesUp() throws Exception {
        try (ScriptedServer slow = new ScriptedServer(List.of(NO_CONTENT, NO_CONTENT), 99, 1_000);
             WarmupConnection connection = new WarmupConnection(slow.address(), "localhost", 200)) {
            WarmupRequests requests = new WarmupRequests(slow.address(), 10_000);
            assertThat(requests.send(connection, "GET", "/api/session", "JSESSIONID=s1", null))
                    .as("a session's read, answered after 1 s").startsWith("HTTP/1.1 204");
            assertThat(requests.send(connection, "GET", "/api/node", null, null)).as("a session-free request, after 1 s").isNull();
            assertThat(requests.failures().total()).isEqualTo(1);
        }
    }

    @Test
    void aSessionsEndRefusedOnceIsSentAgain() throws Exception {
        try (ScriptedServer server = new ScriptedServer(List.of(REFUSED, NO_CONTENT), 99);
             WarmupConnection connection = new WarmupConnection(server.address(), "localhost", 2_000)) {
            new WarmupRequests(server.address(), 2_000).endSession(connection, "JSESSIONID=s1");
            assertThat(server.requests()).as("DELETEs sent").isEqualTo(2);
        }
    }

    @Test
    void aSessionsEndIsTriedAtMostTwice() throws Exception {
        try (ScriptedServer server = new ScriptedServer(List.of(REFUSED, REFUSED, NO_CONTENT), 99);
             WarmupConnection connection = new WarmupConnection(server.address(), "localhost", 2_000)) {
            new WarmupRequests(server.address(), 2_000).endSession(connection, "JSESSIONID=s1");
            assertThat(server.requests()).as("DELETEs sent").isEqualTo(WarmupRequests.END_TRIES);
        }
    }
}
