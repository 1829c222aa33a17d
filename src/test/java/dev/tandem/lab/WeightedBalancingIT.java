package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.testing.Requirements;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** `bin/tandem-lab up --weights`: HAProxy spreads requests without a session by the nodes' weights. */
class WeightedBalancingIT {
    private static final int REQUESTS = 500;
    private static final Map<String, Integer> WEIGHTS = Map.of("n1", 3, "n2", 1, "n3", 1);

    @Test
    void requestsWithoutASessionAreSpreadInProportionToTheNodesWeights() throws Exception {
        Requirements.command("haproxy");
        Requirements.command("socat");
        LocalLab lab = new LocalLab("twgt", "127.0.5", 3);
        try {
            lab.lab(Duration.ofMinutes(4), "up", "--balance", "roundrobin", "--weights", "n1=3,n2=1,n3=1");
            lab.awaitAllUp();
            Awaitility.await("HAProxy runs with the configured weights").atMost(Duration.ofSeconds(30))
                    .until(() -> WEIGHTS.entrySet().stream().allMatch(w ->
                            lab.haproxy.servers("tandem").get(w.getKey()).get("weight").equals(w.getValue().toString())));

            Map<String, Integer> served = new TreeMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            for (int i = 0; i < REQUESTS && System.nanoTime() < deadline; i++) {
                TestHttp.Reply r = new TestHttp(lab.vip()).get("/api/node"); // a new client: no session cookie
                assertThat(r.status()).as("request " + i).isEqualTo(200);
                served.merge(r.node(), 1, Integer::sum);
            }
            int total = served.values().stream().mapToInt(Integer::intValue).sum();
            assertThat(total).as("requests sent within the time bound").isEqualTo(REQUESTS);
            int weightSum = WEIGHTS.values().stream().mapToInt(Integer::intValue).sum();
            for (Map.Entry<String, Integer> w : WEIGHTS.entrySet()) {
                double expected = (double) w.getValue() / weightSum;
                double actual = (double) served.getOrDefault(w.getKey(), 0) / total;
                assertThat(actual).as(w.getKey() + "'s share of " + served).isCloseTo(expected, within(0.05));
            }
            System.out.printf("[weights] n1=3,n2=1,n3=1 roundrobin: %s of %d requests%n", served, total);
        } finally {
            lab.close();
        }
    }
}
