package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.config.HeaderCache;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.RawHttp;
import dev.tandem.testing.TestHttp;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node's connections keep no header fields between requests (HeaderCache), as HAProxy's shared ones need. */
class HeaderCacheTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    @Test
    void theNodesConnectorKeepsNoHeaderCache() {
        HttpConnectionFactory http = node.node().server().getConnectors()[0].getConnectionFactory(HttpConnectionFactory.class);
        assertThat(http.getHttpConfiguration().getHeaderCacheSize()).isEqualTo(HeaderCache.SIZE).isZero();
    }

    @Test
    void oneConnectionCarryingEightSessionsInTurnCountsEachOnItsOwn() throws Exception {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            TestHttp user = node.client();
            assertThat(user.post("/api/session/counter", null).status()).isEqualTo(200);
            assertThat(user.sessionId()).as("a new session's cookie").isNotNull();
            sessions.add(user.sessionId());
        }
        try (RawHttp connection = new RawHttp(node.uri())) {
            for (int round = 2; round <= 4; round++) {
                for (String session : sessions) {
                    RawHttp.Answer answer = connection.send("POST /api/session/counter HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Length: 0\r\nCookie: JSESSIONID=" + session);
                    assertThat(MAPPER.readTree(answer.body()).path("value").asLong())
                            .as("session %s, round %d: %s", session, round, answer).isEqualTo(round);
                }
            }
        }
    }
}
