package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.AgentCheck;
import dev.tandem.testing.Requirements;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * `bin/tandem-lab up --war`: the same lab with WAR nodes in Jetty 12.1, on the lab dashboard's
 * status board like jar nodes, and drained like them.
 */
class WarLabIT {

    @Test
    void theLabRunsWarNodesBehindHaproxyShowsThemOnTheDashboardAndDrainsOneWithoutLosingTheSession() throws Exception {
        Requirements.command("haproxy");
        LocalLab lab = new LocalLab("twar", "127.0.8", 2);
        boolean passed = false;
        try {
            lab.lab(Duration.ofMinutes(5), "up", "--war");
            TestHttp user = new TestHttp(lab.vip());
            assertThat(user.post("/api/cart/items", "{\"sku\":\"jam\",\"qty\":2}").status()).isEqualTo(201);
            String home = user.sessionId().substring(user.sessionId().lastIndexOf('.') + 1);
            assertThat(user.get("/api/cart").node()).isEqualTo(home);

            // What the dashboard page shows, from the answer it renders as is (/lab/api/cluster).
            TestHttp watcher = new TestHttp(lab.vip());
            Awaitility.await("both WAR nodes ready on the status board, the session counted")
                    .atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
                        JsonNode board = watcher.get("/lab/api/cluster").json();
                        assertThat(board.path("note").isNull()).as("no 'no status board' note: %s", board).isTrue();
                        assertThat(board.get("nodes")).as("%s", board).hasSize(2);
                        for (JsonNode n : board.get("nodes")) {
                            JsonNode report = n.get("report");
                            assertThat(n.get("status").asText()).as("%s", n).isEqualTo("up");
                            assertThat(report.get("ready").asBoolean()).as("%s", n).isTrue();
                            assertThat(report.get("members")).as("%s", n).hasSize(2);
                            assertThat(report.get("sessions").asLong()).as("sessions held, %s", n).isGreaterThanOrEqualTo(1);
                            assertThat(report.has("requestsPerSecond") && report.has("p99Millis")).as("%s", n).isTrue();
                        }
                    });

            // HAProxy's limit for each WAR node is what that node's agent (HTTP port + 100) says.
            Awaitility.await("HAProxy's maxconn for both WAR nodes from their agents").atMost(Duration.ofSeconds(10))
                    .ignoreExceptions().untilAsserted(() -> {
                        var servers = lab.haproxy.servers("tandem");
                        for (String n : List.of("n1", "n2")) {
                            String said = AgentCheck.read(lab.node(n).getHost(), lab.node(n).getPort() + 100);
                            assertThat(said).as(n).matches("maxconn:[1-9][0-9]*\n");
                            assertThat("maxconn:" + servers.get(n).get("slim") + "\n").as(n).isEqualTo(said);
                        }
                    });

            String out = lab.lab(Duration.ofMinutes(2), "drain", home);
            assertThat(out).contains("drained");
            Awaitility.await("the drained node on the board as stopped, not crashed").atMost(Duration.ofSeconds(10))
                    .ignoreExceptions().untilAsserted(() -> {
                        JsonNode board = watcher.get("/lab/api/cluster").json();
                        assertThat(board.get("nodes").findValuesAsText("status")).as("%s", board)
                                .containsExactlyInAnyOrder("up", "stopped");
                        assertThat(board.get("events").findValuesAsText("kind")).as("%s", board)
                                .contains("left-drained").doesNotContain("left");
                    });
            Awaitility.await("the other node serves the session").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .untilAsserted(() -> {
                        TestHttp.Reply r = user.get("/api/cart");
                        assertThat(r.status()).as(r.body()).isEqualTo(200);
                        assertThat(r.node()).isNotEqualTo(home);
                        assertThat(r.json().get("totalQuantity").asInt()).isEqualTo(2);
                    });
            passed = true;
        } finally {
            if (!passed) {
                lab.keepLogs("war-lab-logs");
            }
            lab.close();
        }
    }
}
