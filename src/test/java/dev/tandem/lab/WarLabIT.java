package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.Requirements;
import dev.tandem.testing.TestHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** `bin/tandem-lab up --war`: the same lab with WAR nodes in Jetty 12.1, drained like jar nodes. */
class WarLabIT {

    @Test
    void theLabRunsWarNodesBehindHaproxyAndDrainsOneWithoutLosingTheSession() throws Exception {
        Requirements.command("haproxy");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "twar");
        LocalLab lab = new LocalLab(dir, "127.0.8", 2);
        try {
            lab.lab(Duration.ofMinutes(5), "up", "--war");
            TestHttp user = new TestHttp(lab.vip());
            assertThat(user.post("/api/cart/items", "{\"sku\":\"jam\",\"qty\":2}").status()).isEqualTo(201);
            String home = user.sessionId().substring(user.sessionId().lastIndexOf('.') + 1);
            assertThat(user.get("/api/cart").node()).isEqualTo(home);

            String out = lab.lab(Duration.ofMinutes(2), "drain", home);
            assertThat(out).contains("drained");
            Awaitility.await("the other node serves the session").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .untilAsserted(() -> {
                        TestHttp.Reply r = user.get("/api/cart");
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.node()).isNotEqualTo(home);
                        assertThat(r.json().get("totalQuantity").asInt()).isEqualTo(2);
                    });
        } finally {
            lab.close();
            List<ProcessHandle> left = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains(dir.toString())).toList();
            assertThat(left).as("processes left by the lab").isEmpty();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
