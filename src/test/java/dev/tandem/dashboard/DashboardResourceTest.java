package dev.tandem.dashboard;

import static dev.tandem.testing.ApiChecks.assertError;
import static dev.tandem.testing.ApiChecks.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DashboardResourceTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("d1");

    @Test
    void theRootAnswersTheLandingPageWithLinksToTheDashboardTheApiAndTheStatsPage() {
        TestHttp.Reply r = raw(node.client(), "GET", "/", null, "Accept", "text/html");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.body()).contains("href=\"/lab/\"", "href=\"/api/node\"", "href=\"/lab/haproxy\"");
        assertThat(r.header("X-Tandem-Node")).isEqualTo("d1");
    }

    @Test
    void theDashboardPageAndItsFilesAreServedSameOriginOnly() {
        TestHttp client = node.client();
        TestHttp.Reply page = client.get("/lab/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("/lab/dashboard.js", "/lab/dashboard.css", "id=\"timeline\"")
                .doesNotContain("http://", "https://");
        assertThat(page.header("Content-Security-Policy")).contains("default-src 'none'", "script-src 'self'");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");

        assertThat(client.get("/lab/dashboard.js").header("Content-Type")).startsWith("text/javascript");
        assertThat(client.get("/lab/dashboard.css").header("Content-Type")).startsWith("text/css");
        assertThat(client.get("/lab/dashboard.js").body()).doesNotContain("http://", "https://");
    }

    @Test
    void anyOtherFileUnderLabIsAJson404() {
        for (String path : new String[] {"/lab/landing.html", "/lab/nosuch.js", "/lab/..%2fdashboard.js", "/lab/api/nodes"}) {
            TestHttp.Reply r = node.client().get(path);
            assertThat(r.status()).as(path).isIn(400, 404);
            if (r.status() == 404) {
                assertError(r, 404, "not_found", "d1");
            }
        }
    }

    @Test
    void theClusterApiListsThisNodeAsUpWithItsFiguresAndItsStartInTheTimeline() {
        TestHttp client = node.client();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            TestHttp.Reply r = client.get("/lab/api/cluster");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Cache-Control")).isEqualTo("no-store");
            JsonNode body = r.json();
            assertThat(body.path("servedBy").asText()).isEqualTo("d1");
            assertThat(body.path("nodes")).hasSize(1);
            JsonNode n = body.path("nodes").get(0);
            assertThat(n.path("status").asText()).isEqualTo("up");
            assertThat(n.path("report").path("name").asText()).isEqualTo("d1");
            assertThat(n.path("report").path("address").asText()).isEqualTo(node.uri().toString());
            assertThat(n.path("report").path("members")).extracting(JsonNode::asText).containsExactly("d1");
            assertThat(n.path("report").path("sessions").asLong()).isNotNegative();
            assertThat(n.path("report").has("requestsPerSecond")).isTrue();
            assertThat(n.path("report").has("p99Millis")).isTrue();
            assertThat(body.path("events")).extracting(e -> e.path("kind").asText()).contains("started", "ready");
        });
    }

    @Test
    void pollingTheApiCreatesNoSession() {
        TestHttp client = node.client();
        assertThat(client.get("/lab/api/cluster").setCookies()).isEmpty();
        assertThat(client.get("/lab/").setCookies()).isEmpty();
        assertThat(client.sessionId()).isNull();
    }
}
