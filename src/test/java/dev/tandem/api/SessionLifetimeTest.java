package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.NodeConfig;
import dev.tandem.config.SessionLimits;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A session older than its absolute lifetime ends at its next request, however busy it was; the user logs in again. */
class SessionLifetimeTest {
    private static final Duration LIFETIME = Duration.ofSeconds(2);
    private static RunningNode node;

    @BeforeAll
    static void start() {
        node = RunningNode.start(NodeConfig.standalone("lt1").withSessionLimits(new SessionLimits(LIFETIME, 1000)));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aSessionUsedAllTheTimeEndsAtItsLifetimeCountedFromCreationNotFromLogin() {
        TestHttp client = new TestHttp(node.uri());
        // The server stamps the session's birth between these two instants.
        long created = System.currentTimeMillis();
        assertThat(client.post("/api/session/counter", null).status()).isEqualTo(200);
        long createdAtLatest = System.currentTimeMillis();
        // Used every 100 ms for half the lifetime, then the user logs in (a new id, the same session).
        await().atMost(LIFETIME).pollInterval(Duration.ofMillis(100))
                .until(() -> client.post("/api/session/counter", null).status() == 200
                        && System.currentTimeMillis() - created >= LIFETIME.toMillis() / 2);
        long loggedIn = System.currentTimeMillis();
        assertThat(client.post("/api/login", "{\"user\":\"alice\"}").status()).isEqualTo(200);
        String loggedInId = client.sessionId();

        AtomicLong lastServed = new AtomicLong();
        AtomicReference<TestHttp.Reply> ended = new AtomicReference<>();
        await().atMost(LIFETIME.plusSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
            long sent = System.currentTimeMillis(); // the server judged the age after this
            TestHttp.Reply r = client.post("/api/cart/items", "{\"sku\":\"tea\",\"qty\":1}");
            if (r.status() == 201) {
                lastServed.set(sent);
                return false;
            }
            ended.set(r);
            return true;
        });
        long endedAt = System.currentTimeMillis();

        TestHttp.Reply r = ended.get();
        assertError(r, 401, "session_expired", "lt1");
        assertThat(r.header("WWW-Authenticate")).startsWith("Cookie ");
        assertThat(r.setCookies()).as("the dead id is cleared").singleElement().asString()
                .startsWith("JSESSIONID=;").contains("Expires=Thu, 01 Jan 1970").containsIgnoringCase("HttpOnly");
        // Bounds that hold however slow the machine: no timing margin to miss under load.
        assertThat(lastServed.get() - createdAtLatest).as("served while younger than its lifetime").isLessThanOrEqualTo(LIFETIME.toMillis());
        assertThat(endedAt - created).as("ended once older than its lifetime").isGreaterThanOrEqualTo(LIFETIME.toMillis());
        assertThat(endedAt - loggedIn).as("counted from creation: less than a lifetime after login").isLessThan(LIFETIME.toMillis());

        JsonNode fresh = client.get("/api/session").json();
        assertThat(client.sessionId()).as("the next request starts a fresh session").isNotEqualTo(loggedInId);
        assertThat(fresh.path("new").asBoolean()).isTrue();
        assertThat(fresh.path("user").isNull()).as("logged out").isTrue();
        assertThat(fresh.path("counter").asLong()).isZero();
        assertThat(client.get("/api/cart").json().path("totalQuantity").asInt()).as("the refused add did nothing").isZero();
    }

    @Test
    void theOldIdFindsNothingOnceItsSessionEnded() {
        TestHttp client = new TestHttp(node.uri());
        client.post("/api/login", "{\"user\":\"bob\"}");
        client.put("/api/session/attributes/card", "\"4111-1111\"");
        String old = client.sessionId();
        String key = old.substring(0, old.indexOf('.'));
        await().atMost(LIFETIME.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get("/api/session/attributes/card").status() == 401);

        assertThat(node.node().cluster().cache().containsKey(key)).as("the old session is gone from the store").isFalse();
        TestHttp replay = new TestHttp(node.uri());
        replay.sessionId(old);
        assertError(replay.get("/api/session/attributes/card"), 404, "not_found", "lt1");
        assertThat(replay.get("/api/cart").json().path("items").isEmpty()).isTrue();
        assertThat(replay.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(1);
        assertThat(replay.sessionId()).isNotEqualTo(old);
    }

    @Test
    void aLongPollNeverSeesASessionPastItsLifetime() {
        TestHttp client = new TestHttp(node.uri());
        client.post("/api/login", "{\"user\":\"carol\"}");
        assertThat(client.get("/api/events?channel=session").status()).isEqualTo(200);

        await().atMost(LIFETIME.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get("/api/events?channel=session").status() == 404);

        assertError(client.get("/api/events?channel=session"), 404, "no_session", "lt1");
        assertError(client.get("/api/session"), 401, "session_expired", "lt1");
        assertThat(client.get("/api/session").json().path("user").isNull()).isTrue();
    }
}
