package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static dev.tandem.testing.ApiChecks.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.NodeConfig;
import dev.tandem.config.SessionLimits;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The node's session cap: at the cap a request that would create a session gets 503 with
 * Retry-After and changes nothing; sessions that exist keep working; new sessions are possible
 * again once sessions end. And the cap on one session: 64 attributes of up to 8 KiB, 413 beyond.
 */
class SessionCapacityTest {
    private static NodeConfig capped(String name, int max) {
        return NodeConfig.standalone(name).withSessionLimits(new SessionLimits(SessionLimits.DEFAULT_LIFETIME, max));
    }

    /** Every request that creates a session when it has none. */
    private static final List<Function<TestHttp, TestHttp.Reply>> CREATING = List.of(
            c -> c.post("/api/session/counter", null),
            c -> c.get("/api/session"),
            c -> c.post("/api/login", "{\"user\":\"late\"}"),
            c -> c.put("/api/session/attributes/a", "1"),
            c -> c.post("/api/cart/items", "{\"sku\":\"apple\",\"qty\":1}"),
            c -> c.post("/api/rooms/lobby/messages", "{\"text\":\"hi\"}"));

    @Test
    void atTheCapNewSessionsAre503WithRetryAfterWhileExistingOnesKeepWorking() {
        try (RunningNode node = RunningNode.start(capped("c1", 3))) {
            List<TestHttp> holders = List.of(new TestHttp(node.uri()), new TestHttp(node.uri()), new TestHttp(node.uri()));
            for (TestHttp h : holders) {
                assertThat(h.post("/api/session/counter", null).status()).isEqualTo(200);
            }
            int stored = node.node().cluster().localSessionCount();
            assertThat(stored).isEqualTo(3);

            TestHttp late = new TestHttp(node.uri());
            for (Function<TestHttp, TestHttp.Reply> request : CREATING) {
                TestHttp.Reply r = request.apply(late);
                JsonNode body = assertError(r, 503, "session_capacity", "c1");
                assertThat(r.header("Retry-After")).isEqualTo("60");
                assertThat(r.setCookies()).as("no session for %s", body).isEmpty();
            }
            assertThat(node.node().cluster().localSessionCount()).as("nothing stored").isEqualTo(3);
            assertThat(late.get("/api/cart").status()).as("reading needs no session").isEqualTo(200);
            assertThat(late.get("/api/node").status()).isEqualTo(200);
            assertThat(late.get("/health/ready").status()).as("a full node is still ready").isEqualTo(200);

            assertThat(holders.get(0).post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(2);
            assertThat(holders.get(1).post("/api/login", "{\"user\":\"bea\"}").status()).as("a login renews the id").isEqualTo(200);
            assertThat(holders.get(2).put("/api/session/attributes/x", "1").status()).isEqualTo(204);
            String metrics = late.get("/metrics").body();
            assertThat(metrics).containsPattern("tandem_sessions_max\\{[^}]*\\} 3\\.0")
                    .containsPattern("tandem_sessions_refused_total\\{[^}]*\\} " + CREATING.size() + "\\.0");

            // One session ends: within a second or so there is room for one more, and only one.
            assertThat(holders.get(0).delete("/api/session").status()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                    .until(() -> late.post("/api/session/counter", null).status() == 200);
            assertError(new TestHttp(node.uri()).post("/api/session/counter", null), 503, "session_capacity", "c1");
        }
    }

    @Test
    void aSessionFilledTo64AttributesOf8KiBRefusesToGrowWith413AndChangesNothing() {
        try (RunningNode node = RunningNode.start(capped("c3", 10))) {
            TestHttp client = new TestHttp(node.uri());
            String full = "\"" + "v".repeat(8190) + "\""; // exactly 8 KiB of JSON
            for (int i = 0; i < 64; i++) {
                assertThat(client.put("/api/session/attributes/a" + i, full).status()).isEqualTo(204);
            }
            JsonNode before = state(client);

            assertError(client.put("/api/session/attributes/one-more", "1"), 413, "too_many_attributes", "c3");
            assertError(client.put("/api/session/attributes/a0", "\"" + "v".repeat(8191) + "\""), 413, "payload_too_large", "c3");

            assertThat(state(client)).isEqualTo(before);
            assertThat(client.put("/api/session/attributes/a0", "\"small\"").status()).as("replacing is fine").isEqualTo(204);
        }
    }
}
