package dev.tandem.lab;

import static dev.tandem.lab.OneNodeEdge.SESSION_RATE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * How many new sessions one client address gets a minute at the VIP: a real HAProxy (the template,
 * with a low limit) in front of a real node. It waits out HAProxy's one-minute window, so it runs
 * beside the other ITs (see junit-platform.properties): 17 requests, then a poll every 5 s.
 */
@Execution(ExecutionMode.CONCURRENT)
class EdgeSessionRateIT {
    private static final String NET = "127.0.64";
    @RegisterExtension
    static final OneNodeEdge LAB = OneNodeEdge.withLowLimits(NET);

    @Test
    void aClientCreatingSessionsInALoopGetsTheConfiguredNumberAMinuteThen429sThatChangeNothingThenMoreAfterTheWindow() {
        String client = NET + ".101";
        long forwardedBefore = LAB.edge().forwarded("n1");
        List<RawHttp.Reply> replies = new ArrayList<>();
        for (int i = 0; i < 3 * SESSION_RATE; i++) { // 15 requests: under the request rate even in one second
            replies.add(RawHttp.request(client, LAB.edge().vip, "GET", "/api/session"));
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
        assertThat(LAB.edge().forwarded("n1") - forwardedBefore).as("requests the node saw").isEqualTo(SESSION_RATE);

        // A session's own requests are refused too until the rate falls back: one let through could
        // create a session with any cookie. Another address is not concerned.
        String cookie = replies.get(0).sessionCookie().split(";")[0];
        assertThat(RawHttp.request(client, LAB.edge().vip, "GET", "/api/session", "Cookie: " + cookie).status()).isEqualTo(429);
        assertThat(RawHttp.request(NET + ".102", LAB.edge().vip, "GET", "/api/session").status()).isEqualTo(200);

        Awaitility.await("a new session for the address after the one-minute window").atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(5))
                .until(() -> RawHttp.request(client, LAB.edge().vip, "GET", "/api/session").status() == 200);
        long heldSeconds = (System.nanoTime() - firstRefusedAt) / 1_000_000_000L;
        System.out.printf("[edge sessions] %d sessions/min per address: %d of %d served, the rest 429 "
                + "(Retry-After 60); served again %d s after the first refusal%n",
                SESSION_RATE, SESSION_RATE, replies.size(), heldSeconds);
        assertThat(heldSeconds).as("refused for most of the window, not just a moment").isGreaterThanOrEqualTo(30);
    }
}
