package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static dev.tandem.testing.ApiChecks.assertStamped;
import static dev.tandem.testing.ApiChecks.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.BuildVersion;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NodeResourceTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    @Test
    void nodeInfoNamesTheNodeItsVersionAndItselfAsTheOnlyMember() {
        TestHttp.Reply r = node.client().get("/api/node");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertStamped(r, "t1");
        JsonNode body = r.json();
        assertThat(body.path("node").asText()).isEqualTo("t1");
        assertThat(body.path("version").asText()).isEqualTo(BuildVersion.current()).isNotEqualTo("unknown");
        assertThat(body.path("clustered").asBoolean(true)).isFalse();
        assertThat(body.path("members").isArray()).isTrue();
        assertThat(body.path("members")).extracting(JsonNode::asText).containsExactly("t1");
        assertThat(body.path("uptimeSeconds").isIntegralNumber()).isTrue();
        assertThat(body.path("uptimeSeconds").asLong()).isNotNegative();
    }

    @Test
    void uptimeCountsUpWhileTheNodeRuns() {
        TestHttp client = node.client();
        long first = client.get("/api/node").json().path("uptimeSeconds").asLong();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get("/api/node").json().path("uptimeSeconds").asLong() > first);
    }

    @Test
    void readingNodeInfoCreatesNoSession() {
        TestHttp client = node.client();
        TestHttp.Reply r = client.get("/api/node");
        assertThat(r.setCookies()).isEmpty();
        assertThat(client.sessionId()).isNull();
    }

    @Test
    void aWellFormedRequestIdFromTheBalancerIsKept() {
        TestHttp.Reply r = raw(node.client(), "GET", "/api/node", null, "X-Request-Id", "lb-req-0001:abc");
        assertThat(r.header("X-Request-Id")).isEqualTo("lb-req-0001:abc");
    }

    @Test
    void aMalformedRequestIdIsReplacedByAFreshOne() {
        for (String bad : new String[] {"<script>alert(1)</script>", "short", "x".repeat(200), "a b c d e f g"}) {
            TestHttp.Reply r = raw(node.client(), "GET", "/api/node", null, "X-Request-Id", bad);
            assertThat(r.header("X-Request-Id")).as("for %s", bad).isNotEqualTo(bad).matches("[0-9a-f-]{36}");
        }
    }

    @Test
    void everyRequestGetsItsOwnRequestId() {
        TestHttp client = node.client();
        assertThat(client.get("/api/node").header("X-Request-Id"))
                .isNotEqualTo(client.get("/api/node").header("X-Request-Id"));
    }

    @Test
    void theRequestIdOfAnErrorIsTheOneTheBalancerSent() {
        TestHttp.Reply r = raw(node.client(), "GET", "/api/nope", null, "X-Request-Id", "lb-req-0002");
        assertThat(assertError(r, 404, "not_found", "t1").path("requestId").asText()).isEqualTo("lb-req-0002");
    }

    @Test
    void headIsAnsweredWithHeadersOnlyAndOptionsListsTheMethods() {
        TestHttp client = node.client();
        TestHttp.Reply head = client.send("HEAD", "/api/node", null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertStamped(head, "t1");

        TestHttp.Reply options = client.send("OPTIONS", "/api/node", null);
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.header("Allow")).contains("GET").doesNotContain("POST", "PUT", "DELETE");
        assertStamped(options, "t1");
    }

    @Test
    void askingForAnythingButJsonIsA406JsonError() {
        TestHttp.Reply r = raw(node.client(), "GET", "/api/node", null, "Accept", "application/xml");
        assertError(r, 406, "not_acceptable", "t1");
    }
}
