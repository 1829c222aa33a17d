package dev.tandem.dashboard;

import dev.tandem.testing.Chromium;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jetty.util.IO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The page's script in a real headless Chromium against one standalone node (no HAProxy). */
class DashboardPageTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("p1");

    @Test
    void thePageShowsTheNodeReadyItsOwnRequestsAndSaysHaproxyIsOnlyOnTheVip() throws Exception {
        Requirements.command("chromium");
        Files.createDirectories(DashboardIT.ARTIFACTS);
        Path dir = Files.createTempDirectory("tdashpage");
        try (Chromium browser = Chromium.start(dir, 1200, 800)) {
            browser.open(node.uri().resolve("/lab/").toString());
            DashboardIT.awaitPage(browser, "p1 ready", Duration.ofSeconds(30),
                    "(document.getElementById('node-p1') || {dataset: {}}).dataset.status === 'up'"
                            + " && document.querySelectorAll('#requests .req').length >= 2");
            assertThat(browser.eval("document.getElementById('conn').dataset.state").asText()).isEqualTo("live");
            assertThat(browser.eval("document.getElementById('served-by').textContent").asText()).isEqualTo("p1");
            assertThat(browser.eval("document.querySelector('#requests .req').textContent").asText()).isEqualTo("p1");
            assertThat(browser.eval("document.getElementById('haproxy-note').hidden").asBoolean()).isFalse();
            assertThat(browser.eval("document.querySelector('#timeline li[data-kind=started]') !== null").asBoolean())
                    .isTrue();
        } finally {
            IO.delete(dir);
        }
    }
}
