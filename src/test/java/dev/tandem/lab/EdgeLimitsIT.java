package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.FreePorts;
import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.Requirements;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What one client address may cost at the VIP: a real HAProxy (the template, with low limits) in
 * front of a real node. Each test speaks from its own loopback source address, as separate clients.
 */
class EdgeLimitsIT {
    private static final String NET = "127.0.62";
    private static final int REQ_RATE = 20;
    private static final int SESSION_RATE = 5;
    private static Path dir;
    private static NodeProcess node;
    private static Edge edge;

    @BeforeAll
    static void start() throws Exception {
        Requirements.command("haproxy");
        dir = Files.createTempDirectory(Path.of("/tmp"), "tedge");
        String host = NET + ".11";
        node = NodeProcess.start("n1", dir, "--node", "n1", "--host", host, "--port", Integer.toString(FreePorts.httpPort(host)));
        URI n1 = node.awaitListening(Duration.ofSeconds(90));
        edge = new Edge(dir, NET + ".10", Map.of("n1", n1.getHost() + ":" + n1.getPort()),
                "--req-rate", Integer.toString(REQ_RATE), "--session-rate", Integer.toString(SESSION_RATE));
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (node != null) {
            node.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aClientCreatingSessionsInALoopGetsTheConfiguredNumberAMinuteThen429sThatChangeNothingThenMoreAfterTheWindow() {
        String client = NET + ".101";
        long forwardedBefore = edge.forwarded("n1");
        List<RawHttp.Reply> replies = new ArrayList<>();
        for (int i = 0; i < 3 * SESSION_RATE; i++) { // 15 requests: under the request rate even in one second
            replies.add(RawHttp.request(client, edge.vip, "GET", "/api/session"));
        }
        long firstRefusedAt = System.nanoTime();
        for (int i = 0; i < SESSION_RATE; i++) {
            assertThat(replies.get(i).status()).as("session " + i).isEqualTo(200);
            assertThat(replies.get(i).sessionCookie()).as("session " + i + " cookie").isNotNull();
        }
        for (RawHttp.Reply r : replies.subList(SESSION_RATE, replies.size())) {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.header("Retry-After")).isEqualTo("60");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.json().get("error").asText()).isEqualTo("rate_limited");
            assertThat(r.json().get("retryAfterSeconds").asInt()).isEqualTo(60);
            assertThat(r.sessionCookie()).as("a refused request gets no session").isNull();
        }
        assertThat(edge.forwarded("n1") - forwardedBefore).as("requests the node saw").isEqualTo(SESSION_RATE);

        // A session's own requests are refused too until the rate falls back: one let through could
        // create a session with any cookie. Another address is not concerned.
        String cookie = replies.get(0).sessionCookie().split(";")[0];
        assertThat(RawHttp.request(client, edge.vip, "GET", "/api/session", "Cookie: " + cookie).status()).isEqualTo(429);
        assertThat(RawHttp.request(NET + ".102", edge.vip, "GET", "/api/session").status()).isEqualTo(200);

        Awaitility.await("a new session for the address after the one-minute window").atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(5))
                .until(() -> RawHttp.request(client, edge.vip, "GET", "/api/session").status() == 200);
        long heldSeconds = (System.nanoTime() - firstRefusedAt) / 1_000_000_000L;
        System.out.printf("[edge sessions] %d sessions/min per address: %d of %d served, the rest 429 "
                + "(Retry-After 60); served again %d s after the first refusal%n",
                SESSION_RATE, SESSION_RATE, replies.size(), heldSeconds);
        assertThat(heldSeconds).as("refused for most of the window, not just a moment").isGreaterThanOrEqualTo(30);
    }

    @Test
    void aFloodFromOneAddressIsCutWithin429sWhileAnotherAddressIsServedAndTheFloodedAddressIsServedAgainAfterBackingOff() {
        String flooder = NET + ".111";
        String other = "127.0.0.2";
        long forwardedBefore = edge.forwarded("n1");
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(10).toNanos();
        int served = 0;
        int refused = 0;
        long cutAfterMs = -1;
        int cutAfterRequests = -1;
        for (int i = 0; i < 300 && System.nanoTime() < deadline; i++) {
            RawHttp.Reply r = RawHttp.request(flooder, edge.vip, "GET", "/api/node");
            if (r.status() == 200) {
                served++;
            } else {
                assertThat(r.status()).as("request " + i).isEqualTo(429);
                assertThat(r.header("Retry-After")).isEqualTo("1");
                assertThat(r.json().get("error").asText()).isEqualTo("rate_limited");
                if (refused++ == 0) {
                    cutAfterMs = (System.nanoTime() - start) / 1_000_000;
                    cutAfterRequests = i;
                }
            }
        }
        int sent = served + refused;
        long floodMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(edge.forwarded("n1") - forwardedBefore).as("requests the node saw").isEqualTo(served);
        assertThat(RawHttp.request(flooder, edge.vip, "GET", "/api/node").status()).as("the flooder, still").isEqualTo(429);
        assertThat(RawHttp.request(other, edge.vip, "GET", "/api/node").status()).as("another address").isEqualTo(200);
        System.out.printf("[edge flood] %d req/s per address: %d requests in %d ms from one address, %d served, "
                + "first 429 after %d requests (%d ms)%n", REQ_RATE, sent, floodMs, served, cutAfterRequests, cutAfterMs);
        assertThat(sent).as("the flood outran the limit").isGreaterThan(3 * REQ_RATE);
        assertThat(cutAfterRequests).as("cut after the limit's worth").isEqualTo(REQ_RATE);
        assertThat(served).as("served during the whole flood").isLessThanOrEqualTo(2 * REQ_RATE);

        Awaitility.await("the flooder served again after waiting out Retry-After").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(1500))
                .until(() -> RawHttp.request(flooder, edge.vip, "GET", "/api/node").status() == 200);
    }
}
