package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static dev.tandem.testing.ApiChecks.assertStamped;
import static dev.tandem.testing.ApiChecks.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.NodeConfig;
import dev.tandem.lifecycle.Readiness;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HealthAndAdminTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    @Test
    void liveIsA200WhileTheProcessAnswers() {
        TestHttp.Reply r = node.client().get("/health/live");
        assertThat(r.status()).isEqualTo(200);
        assertStamped(r, "t1");
        assertThat(r.json().path("status").asText()).isEqualTo("live");
    }

    @Test
    void readyIsA200WithOneMemberWhileServing() {
        TestHttp.Reply r = node.client().get("/health/ready");
        assertThat(r.status()).isEqualTo(200);
        assertStamped(r, "t1");
        JsonNode body = r.json();
        assertThat(body.path("state").asText()).isEqualTo("serving");
        assertThat(body.path("status").asText()).isEqualTo("ready");
        assertThat(body.path("members").asInt()).isEqualTo(1);
        assertThat(body.has("reason")).isFalse();
    }

    @Test
    void aHeadOfReadyAnswersItsStatusWithoutABody() {
        TestHttp.Reply r = node.client().send("HEAD", "/health/ready", null);
        assertThat(r.status()).isEqualTo(200);
        assertStamped(r, "t1");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void healthChecksCreateNoSession() {
        TestHttp client = node.client();
        assertThat(client.get("/health/live").setCookies()).isEmpty();
        assertThat(client.get("/health/ready").setCookies()).isEmpty();
        assertThat(client.sessionId()).isNull();
    }

    @Test
    void aDrainThatCameThroughAProxyIsForbiddenAndTheNodeStaysReady() {
        TestHttp client = node.client();
        assertError(raw(client, "POST", "/admin/drain", null, "X-Forwarded-For", "203.0.113.5"), 403, "forbidden", "t1");
        assertError(raw(client, "POST", "/admin/drain", null, "X-Forwarded-For", "127.0.0.1"), 403, "forbidden", "t1");
        assertError(raw(client, "POST", "/admin/drain", null, "Forwarded", "for=203.0.113.5"), 403, "forbidden", "t1");

        assertThat(node.node().readiness().state()).isEqualTo(Readiness.State.SERVING);
        assertThat(node.node().stopped()).isNotDone();
        assertThat(client.get("/health/ready").status()).isEqualTo(200);
        assertThat(client.get("/api/node").status()).isEqualTo(200);
    }

    @Test
    void drainIsOnlyAPost() {
        TestHttp.Reply r = node.client().get("/admin/drain");
        assertError(r, 405, "method_not_allowed", "t1");
        assertThat(r.header("Allow")).contains("POST");
        assertThat(node.node().readiness().state()).isEqualTo(Readiness.State.SERVING);
    }

    @Test
    void aDrainFromThisMachineTurnsReadinessOffAtOnceKeepsServingThenStopsTheNode() {
        NodeConfig config = NodeConfig.standalone("t1").withDrainTime(Duration.ofSeconds(3));
        try (RunningNode draining = RunningNode.start(config)) {
            TestHttp client = draining.client();
            client.post("/api/session/counter", null);
            assertThat(client.get("/health/ready").status()).isEqualTo(200);

            TestHttp.Reply r = client.post("/admin/drain", null);

            assertThat(r.status()).isEqualTo(202);
            assertStamped(r, "t1");
            assertThat(r.json().path("state").asText()).isEqualTo("draining");
            assertThat(r.json().path("started").asBoolean()).isTrue();

            TestHttp.Reply ready = client.get("/health/ready");
            assertThat(ready.status()).as("ready turns 503 at once").isEqualTo(503);
            assertThat(ready.json().path("state").asText()).isEqualTo("draining");
            assertThat(ready.json().path("status").asText()).isEqualTo("not_ready");
            assertThat(client.get("/health/live").status()).as("live stays 200").isEqualTo(200);
            assertThat(client.post("/api/session/counter", null).json().path("value").asLong())
                    .as("the drain window still serves sessions").isEqualTo(2);

            TestHttp.Reply again = client.post("/admin/drain", null);
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.json().path("started").asBoolean()).as("a second drain starts nothing new").isFalse();

            await().atMost(Duration.ofSeconds(30)).until(() -> draining.node().stopped().isDone());
            assertThat(draining.node().stopped()).isCompletedWithValue(0);
            assertThat(draining.node().readiness().state()).isEqualTo(Readiness.State.STOPPED);
            assertThatThrownBy(() -> client.timeout(Duration.ofSeconds(2)).get("/health/live"))
                    .as("the port is closed after the stop")
                    .isInstanceOf(UncheckedIOException.class);
        }
    }
}
