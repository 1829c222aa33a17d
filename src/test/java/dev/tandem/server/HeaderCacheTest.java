package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.HeaderCache;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.RawHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node's connections keep no header fields between requests (HeaderCache), as HAProxy's shared ones need. */
class HeaderCacheTest {
    private static final Pattern SESSION = Pattern.compile("JSESSIONID=([^;\\r\\n]+)");
    private static final Pattern VALUE = Pattern.compile("\"value\":(\\d+)");

    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    @Test
    void theNodesConnectorKeepsNoHeaderCache() {
        HttpConnectionFactory http = node.node().server().getConnectors()[0].getConnectionFactory(HttpConnectionFactory.class);
        assertThat(http.getHttpConfiguration().getHeaderCacheSize()).isEqualTo(HeaderCache.SIZE).isZero();
    }

    @Test
    void oneConnectionCarryingEightSessionsInTurnCountsEachOnItsOwn() throws Exception {
        try (RawHttp connection = new RawHttp(node.uri())) {
            List<String> sessions = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Matcher made = SESSION.matcher(connection.send(counter(null)));
                assertThat(made.find()).as("a new session's cookie").isTrue();
                sessions.add(made.group(1));
            }
            for (int round = 2; round <= 4; round++) {
                for (String session : sessions) {
                    String answer = connection.send(counter(session));
                    Matcher value = VALUE.matcher(answer);
                    assertThat(value.find()).as(answer).isTrue();
                    assertThat(Long.parseLong(value.group(1))).as("session %s, round %d", session, round).isEqualTo(round);
                }
            }
        }
    }

    private static String counter(String session) {
        return "POST /api/session/counter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0"
                + (session == null ? "" : "\r\nCookie: JSESSIONID=" + session);
    }
}
