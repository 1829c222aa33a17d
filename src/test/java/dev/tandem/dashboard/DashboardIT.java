package dev.tandem.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.lab.LocalLab;
import dev.tandem.testing.Chromium;
import dev.tandem.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless Chromium, open on the VIP of a running lab while a node is
 * killed and started again, then another drained: the page itself (its DOM) must show the node go
 * down and come back, and the drained one as stopped (not crashed), in both the nodes' and HAProxy's
 * view and in the timeline. Screenshots are kept in target/dashboard-it/.
 */
class DashboardIT {
    private static final String NET = "127.0.9";
    static final Path ARTIFACTS = Path.of("target", "dashboard-it");

    @Test
    void theOpenPageShowsAKilledNodeGoDownAndComeBackUpAfterARestartAndADrainedOneAsStopped() throws Exception {
        Requirements.command("haproxy");
        Requirements.command("socat");
        Requirements.command("chromium");
        Files.createDirectories(ARTIFACTS);
        LocalLab lab = new LocalLab("tdash", NET, 3);
        try {
            lab.lab(Duration.ofMinutes(4), "up");
            try (Chromium browser = Chromium.start(lab.dir(), 1400, 1000)) {
                browser.open(lab.vip() + "/lab/");
                awaitPage(browser, "all three nodes ready and UP", Duration.ofSeconds(60),
                        "document.querySelectorAll('#nodes tr[data-status=up]').length === 3"
                                + " && document.querySelectorAll('#haproxy tr[data-status=UP]').length === 3"
                                // a few of the page's own requests first, spread over the nodes
                                + " && document.querySelectorAll('#requests .req').length >= 6");
                assertThat(browser.eval("document.getElementById('balancer').textContent").asText())
                        .as("the balancer that answered the page (X-Tandem-Balancer)").isEqualTo("haproxy");
                assertThat(browser.eval("document.getElementById('node-n1').dataset.refused").asText())
                        .as("refusals at the node's own limit, per second").isEqualTo("0");
                assertThat(browser.eval("document.getElementById('haproxy-refusals').textContent").asText())
                        .startsWith("Refused by HAProxy since it started: 0 × 503").contains("at the edge");

                long killed = System.nanoTime();
                lab.lab(Duration.ofSeconds(60), "kill", "n2");
                awaitPage(browser, "n2 down in both views", Duration.ofSeconds(20),
                        status("node-n2") + " === 'down' && " + status("hap-n2") + " === 'DOWN'");
                double shownDown = (System.nanoTime() - killed) / 1e9;
                awaitPage(browser, "the kill in the timeline", Duration.ofSeconds(10),
                        event("left", "n2") + " && " + event("hap-down", "n2"));
                assertThat(browser.eval("document.querySelectorAll('#nodes tr[data-status=up]').length").asInt())
                        .as("the other nodes stay ready").isEqualTo(2);
                browser.screenshot(ARTIFACTS.resolve("dashboard-n2-killed.png"));

                int readyBefore = browser.eval(count("ready", "n2")).asInt();
                int upBefore = browser.eval(count("hap-up", "n2")).asInt();
                long started = System.nanoTime();
                lab.lab(Duration.ofMinutes(3), "start", "n2");
                awaitPage(browser, "n2 back up in both views", Duration.ofSeconds(30),
                        status("node-n2") + " === 'up' && " + status("hap-n2") + " === 'UP'");
                double shownUp = (System.nanoTime() - started) / 1e9;
                awaitPage(browser, "the return in the timeline", Duration.ofSeconds(10),
                        event("joined", "n2") + " && " + count("hap-up", "n2") + " > " + upBefore
                                + " && " + count("ready", "n2") + " > " + readyBefore);
                assertThat(browser.eval("new Set(Array.from(document.querySelectorAll('#requests .req'),"
                        + " e => e.textContent)).size").asInt()).as("the page's own requests were spread").isGreaterThan(1);
                browser.screenshot(ARTIFACTS.resolve("dashboard-n2-back.png"));

                // A drained node is told apart from a killed one, in both views and in the timeline.
                lab.lab(Duration.ofMinutes(2), "drain", "n3");
                awaitPage(browser, "n3 stopped and in MAINT", Duration.ofSeconds(20),
                        status("node-n3") + " === 'stopped' && " + status("hap-n3") + " === 'MAINT'");
                awaitPage(browser, "the drain in the timeline", Duration.ofSeconds(10),
                        event("draining", "n3") + " && " + event("left-drained", "n3") + " && " + count("left", "n3") + " === 0");
                browser.screenshot(ARTIFACTS.resolve("dashboard-n3-drained.png"));
                System.out.printf("[dashboard] page showed n2 DOWN %.1f s after the kill, UP %.1f s after start began%n",
                        shownDown, shownUp);
            }
        } finally {
            lab.close(); // fails if the lab or the browser left a process
        }
    }

    private static String status(String rowId) {
        return "(document.getElementById('" + rowId + "') || {dataset: {}}).dataset.status";
    }

    private static String event(String kind, String node) {
        return count(kind, node) + " > 0";
    }

    /** Timeline entries of a kind about a node. */
    private static String count(String kind, String node) {
        return "document.querySelectorAll('#timeline li[data-kind=\"" + kind + "\"][data-node=\"" + node + "\"]').length";
    }

    /** Waits for a condition on the page; on timeout keeps a screenshot and says what the page showed. */
    static void awaitPage(Chromium browser, String what, Duration atMost, String condition) throws Exception {
        try {
            Awaitility.await(what).atMost(atMost).pollInterval(Duration.ofMillis(250))
                    .until(() -> browser.eval(condition).asBoolean());
        } catch (ConditionTimeoutException e) {
            Path shot = ARTIFACTS.resolve("dashboard-failed.png");
            browser.screenshot(shot);
            throw new AssertionError("the page did not show " + what + " within " + atMost + " (screenshot " + shot
                    + "); it showed:\n" + browser.eval("location.href + '\\n' + document.body.innerText").asText(), e);
        }
    }
}
