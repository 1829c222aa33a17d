package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestHttp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A long poll through the VIP: HAProxy's timeouts (the template's) let it wait its full 25 s and
 * end with the node's 204, not the balancer's 504. A real HAProxy (default limits) in front of a
 * real node. It mostly waits, so it runs beside the other ITs (see junit-platform.properties).
 */
@Execution(ExecutionMode.CONCURRENT)
class EdgeLongPollIT {
    @RegisterExtension
    static final OneNodeEdge LAB = new OneNodeEdge("127.0.65");

    @Test
    void aLongPollThroughHaproxyWaitsItsFull25SecondsAndGets204() {
        long t0 = System.nanoTime();
        TestHttp.Reply r = new TestHttp(LAB.edge().vip).timeout(Duration.ofSeconds(40))
                .get("/api/events?channel=room:quiet&after=0&wait=25");
        assertThat(r.status()).as(r.body()).isEqualTo(204);
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(24_000L);
    }
}
