package dev.tandem.lab;

import static dev.tandem.lab.OneNodeEdge.REQ_RATE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What one client address may send a second at the VIP: a real HAProxy (the template, with a low
 * limit) in front of a real node. The limit on new sessions a minute is {@link EdgeSessionRateIT}.
 */
class EdgeLimitsIT {
    private static final String NET = "127.0.62";
    @RegisterExtension
    static final OneNodeEdge LAB = OneNodeEdge.withLowLimits(NET);

    @Test
    void aFloodFromOneAddressIsCutWithin429sWhileAnotherAddressIsServedAndTheFloodedAddressIsServedAgainAfterBackingOff() {
        String flooder = NET + ".111";
        String other = "127.0.0.2";
        long forwardedBefore = LAB.edge().forwarded("n1");
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(10).toNanos();
        int served = 0;
        int refused = 0;
        long cutAfterMs = -1;
        int cutAfterRequests = -1;
        for (int i = 0; i < 300 && System.nanoTime() < deadline; i++) {
            RawHttp.Reply r = RawHttp.request(flooder, LAB.edge().vip, "GET", "/api/node");
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
        assertThat(LAB.edge().forwarded("n1") - forwardedBefore).as("requests the node saw").isEqualTo(served);
        assertThat(RawHttp.request(flooder, LAB.edge().vip, "GET", "/api/node").status()).as("the flooder, still").isEqualTo(429);
        assertThat(RawHttp.request(other, LAB.edge().vip, "GET", "/api/node").status()).as("another address").isEqualTo(200);
        System.out.printf("[edge flood] %d req/s per address: %d requests in %d ms from one address, %d served, "
                + "first 429 after %d requests (%d ms)%n", REQ_RATE, sent, floodMs, served, cutAfterRequests, cutAfterMs);
        assertThat(sent).as("the flood outran the limit").isGreaterThan(3 * REQ_RATE);
        assertThat(cutAfterRequests).as("cut after the limit's worth").isEqualTo(REQ_RATE);
        assertThat(served).as("served during the whole flood").isLessThanOrEqualTo(2 * REQ_RATE);

        Awaitility.await("the flooder served again after waiting out Retry-After").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(1500))
                .until(() -> RawHttp.request(flooder, LAB.edge().vip, "GET", "/api/node").status() == 200);
    }
}
