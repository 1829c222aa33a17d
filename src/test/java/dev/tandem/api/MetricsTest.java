package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertStamped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MetricsTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    private static String scrape() {
        TestHttp.Reply r = node.client().get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    /** The value of the first sample whose name and labels match, e.g. {@code tandem_cluster_members\{node="t1"\}}. */
    private static Optional<Double> sample(String text, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + nameAndLabels + " ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    }

    @Test
    void metricsArePrometheusTextWithTandemsMeters() {
        node.client().get("/api/session");
        TestHttp.Reply r = node.client().get("/metrics");

        assertThat(r.status()).isEqualTo(200);
        assertStamped(r, "t1");
        assertThat(r.header("Content-Type")).startsWith("text/plain").contains("version=0.0.4");
        assertThat(r.body())
                .contains("# TYPE ")
                .contains("http_server_requests")
                .contains("tandem_session_store")
                .contains("tandem_sessions_active")
                .contains("tandem_cluster_members")
                .contains("jvm_memory_used_bytes")
                .contains("node=\"t1\"");
    }

    @Test
    void aStandaloneNodeCountsItselfAsTheOneClusterMember() {
        assertThat(sample(scrape(), "tandem_cluster_members\\{node=\"t1\"\\}")).hasValue(1.0);
    }

    @Test
    void activeSessionsGrowAsSessionsAreCreated() {
        double before = sample(scrape(), "tandem_sessions_active\\{node=\"t1\"\\}").orElseThrow();
        for (int i = 0; i < 3; i++) {
            node.client().get("/api/session");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sample(scrape(), "tandem_sessions_active\\{node=\"t1\"\\}").orElseThrow())
                        .isGreaterThanOrEqualTo(before + 3));
    }

    @Test
    void requestsAreCountedByMethodAndStatus() {
        node.client().send("PUT", "/no-such-page", null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sample(scrape(),
                "http_server_requests_seconds_count\\{method=\"PUT\",node=\"t1\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"NOT_FOUND\"\\}"))
                .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1.0)));
    }

    @Test
    void everyRequestOfASeriesIsCountedNotOnlyTheOneThatMadeIt() {
        String series = "http_server_requests_seconds_count\\{method=\"PATCH\",node=\"t1\",outcome=\"CLIENT_ERROR\","
                + "status=\"404\",uri=\"NOT_FOUND\"\\}";
        double before = sample(scrape(), series).orElse(0.0);
        for (int i = 0; i < 3; i++) {
            node.client().send("PATCH", "/no-such-page/" + i, null);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sample(scrape(), series)).hasValue(before + 3));
    }

    @Test
    void requestsAreTaggedByRouteTemplateSoTheUriLabelStaysBounded() {
        TestHttp client = node.client();
        client.get("/api/session/attributes/first");
        client.get("/api/session/attributes/second");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String text = scrape();
            assertThat(sample(text, "http_server_requests_seconds_count\\{method=\"GET\",node=\"t1\",outcome=\"[A-Z_]+\","
                    + "status=\"[0-9]+\",uri=\"/api/session/attributes/\\{name\\}\"\\}")).isPresent();
            assertThat(text).doesNotContain("uri=\"/api/session/attributes/first\"", "/no-such-page");
        });
    }

    @Test
    void healthChecksHaveTheirOwnSeriesApartFromApiTimings() {
        node.client().get("/health/live");
        node.client().get("/api/node");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String text = scrape();
            assertThat(sample(text, "http_server_requests_seconds_count\\{method=\"GET\",node=\"t1\",outcome=\"SUCCESS\","
                    + "status=\"200\",uri=\"/health/live\"\\}")).hasValueSatisfying(v -> assertThat(v).isPositive());
            assertThat(sample(text, "http_server_requests_seconds_count\\{method=\"GET\",node=\"t1\",outcome=\"SUCCESS\","
                    + "status=\"200\",uri=\"/api/node\"\\}")).hasValueSatisfying(v -> assertThat(v).isPositive());
        });
    }

    @Test
    void durationsArePublishedAsHistogramBucketsThatAddUpAcrossNodes() {
        node.client().get("/api/node");

        String text = scrape();
        assertThat(text).containsPattern("(?m)^http_server_requests_seconds_bucket\\{[^}]*uri=\"/api/node\",le=\"[0-9.]+\"\\} ");
        assertThat(text).doesNotContainPattern("(?m)^http_server_requests_seconds\\{[^}]*quantile=");
    }

    @Test
    void sessionStoreWritesLoadsAndLockWaitsAreTimed() {
        TestHttp client = node.client();
        client.get("/api/session");
        client.post("/api/session/counter", null);
        String text = scrape();
        assertThat(sample(text, "tandem_session_store_seconds_count\\{node=\"t1\",op=\"store\"\\}"))
                .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(2.0));
        assertThat(sample(text, "tandem_session_store_seconds_count\\{node=\"t1\",op=\"load\"\\}"))
                .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1.0));
        assertThat(sample(text, "tandem_session_store_seconds_count\\{node=\"t1\",op=\"lock\"\\}"))
                .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(2.0));
    }

    @Test
    void scrapingCreatesNoSession() {
        TestHttp client = node.client();
        assertThat(client.get("/metrics").setCookies()).isEmpty();
        assertThat(client.sessionId()).isNull();
    }
}
