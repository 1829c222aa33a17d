package dev.tandem.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.RawHttp;
import dev.tandem.web.UnreadBodiesHandler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The budget in one Jetty server: requests that hold their slot until the test lets them go. */
class OverloadHandlerTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger entered = new AtomicInteger();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient client = HttpClient.newHttpClient();
    private Server server;
    private URI uri;

    /** Every request but the exempt ones holds its slot (asynchronously, no thread) until released. */
    private void start(OverloadLimits limits) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        OverloadHandler overload = new OverloadHandler(limits, "t1");
        overload.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                entered.incrementAndGet();
                CompletableFuture.runAsync(() -> {
                    try {
                        if (!Request.getPathInContext(request).startsWith("/health/")) {
                            release.await(20, TimeUnit.SECONDS);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)), callback);
                });
                return true;
            }
        });
        OverloadMetrics.bind(registry, overload);
        server.setHandler(new UnreadBodiesHandler(overload)); // as TandemServer has it
        server.start();
        uri = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        if (server != null) {
            server.stop();
        }
    }

    private CompletableFuture<HttpResponse<String>> get(String path) {
        return client.sendAsync(HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void beyondTheLimitAndAFullQueueARequestIsRefusedAtOnceWithJsonAndRetryAfter() throws Exception {
        start(new OverloadLimits(2, 8, Duration.ofSeconds(10)));
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 2 + 8; i++) { // two served, eight queued (the queue's depth)
            held.add(get("/api/x"));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() == 2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("tandem.overload.queued").gauge().value() == 8);

        HttpResponse<String> refused = get("/api/x").get(5, TimeUnit.SECONDS);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("10");
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(refused.body()).startsWith("{\"error\":\"overloaded\",\"message\":\"the node is at its limit of 2 requests")
                .contains("\"requestId\":\"");
        assertThat(registry.scrape()).contains("tandem_overload_refused_total{reason=\"queue_full\"} 1.0");
        release.countDown();
        for (CompletableFuture<HttpResponse<String>> f : held) {
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRefusedPostSaysItClosesTheConnectionForItsBodyWasNeverRead() throws Exception {
        start(new OverloadLimits(1, 1, Duration.ofSeconds(10)));
        List<CompletableFuture<HttpResponse<String>>> held = List.of(get("/api/x"), get("/api/x"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("tandem.overload.queued").gauge().value() == 1);

        try (RawHttp http = new RawHttp(uri)) {
            // The body is never sent: still on its way when the refusal comes.
            String answer = http.exchange("POST /api/x HTTP/1.1\r\nHost: t1\r\nContent-Length: 2", null, Duration.ZERO);

            assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("\r\nConnection: close\r\n");
            assertThat(http.closedByServer()).isTrue();
        }
        release.countDown();
        for (CompletableFuture<HttpResponse<String>> f : held) {
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRequestThatWaitedTheWholeQueueBudgetIsRefusedWith503() throws Exception {
        start(new OverloadLimits(1, 4, Duration.ofMillis(300)));
        CompletableFuture<HttpResponse<String>> first = get("/api/x");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() == 1);

        HttpResponse<String> waited = get("/api/x").get(5, TimeUnit.SECONDS);

        assertThat(waited.statusCode()).isEqualTo(503);
        assertThat(waited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(waited.body()).contains("\"error\":\"overloaded\"").contains("within 300 ms");
        assertThat(registry.scrape()).contains("tandem_overload_refused_total{reason=\"queue_timeout\"} 1.0");
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void healthChecksEventsMetricsAndAdminNeverWaitForASlot() throws Exception {
        start(new OverloadLimits(1, 4, Duration.ofSeconds(10)));
        get("/api/x");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() == 1);

        HttpResponse<String> ready = get("/health/ready").get(5, TimeUnit.SECONDS);
        assertThat(ready.statusCode()).isEqualTo(200);
        // Held like a long poll, yet admitted beyond the limit of one:
        for (String path : List.of("/api/events", "/api/events/stream", "/metrics", "/admin/drain")) {
            get(path);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() == 1 + 1 + 4);
        assertThat(registry.get("tandem.overload.queued").gauge().value()).isZero();
    }

    @Test
    void theDefaultsAreTheOnesHaproxysRendererReads() {
        OverloadLimits d = OverloadLimits.defaults();
        assertThat(d.maxRequests()).isPositive();
        assertThat(d.queueTime()).isPositive();
        assertThat(d.maxQueued()).isPositive();
        java.util.Properties env = new java.util.Properties();
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("haproxy/node-limits.env"))) {
            env.load(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(d.maxRequests()).isEqualTo(Runtime.getRuntime().availableProcessors()
                * Integer.parseInt(env.getProperty("TANDEM_REQUESTS_PER_CORE")));
        assertThat(d.maxQueued()).isEqualTo(Integer.parseInt(env.getProperty("TANDEM_MAX_QUEUED")));
        assertThat(d.queueTime().toMillis()).isEqualTo(Long.parseLong(env.getProperty("TANDEM_QUEUE_MS")));
    }
}
