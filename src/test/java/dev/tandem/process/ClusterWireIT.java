package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.Requirements;
import dev.tandem.testing.TestHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an eavesdropper on the cluster network sees: tcpdump on loopback while session writes
 * replicate. A cluster started with --cluster-insecure is the control (the value is on the wire,
 * so the capture works); with the credentials, the value never is.
 */
class ClusterWireIT {

    @Test
    void withTheCredentialsNoSessionValueCrossesTheClusterNetworkInClearText(@TempDir Path dir) throws Exception {
        Requirements.root();
        Requirements.command("tcpdump");
        Capture insecure = capture(dir.resolve("insecure"), "--cluster-insecure");
        Capture tls = capture(dir.resolve("tls"));
        System.out.printf("[cluster wire] insecure: value seen %d times in %d captured bytes; TLS: %d times in %d bytes%n",
                insecure.hits(), insecure.bytes(), tls.hits(), tls.bytes());
        assertThat(insecure.hits()).as("control: the plain cluster shows the value (the capture works); tcpdump said: "
                + insecure.tcpdumpLog()).isPositive();
        assertThat(tls.bytes()).as("the TLS cluster's traffic was captured; tcpdump said: " + tls.tcpdumpLog())
                .isGreaterThan(10_000);
        assertThat(tls.hits()).as("the value in the TLS cluster's traffic").isZero();
    }

    private record Capture(int hits, long bytes, String tcpdumpLog) {}

    private static Capture capture(Path dir, String... extra) throws Exception {
        Files.createDirectories(dir);
        String marker = "card-" + UUID.randomUUID();
        Path pcap = dir.resolve("cluster.pcap");
        try (ProcessCluster cluster = new ProcessCluster(2, dir, extra)) {
            List<String> filter = new ArrayList<>();
            for (String peer : cluster.peers.split(",")) {
                int port = Integer.parseInt(peer.substring(peer.lastIndexOf(':') + 1));
                filter.add("tcp port " + port + " or tcp port " + (port + 100));
            }
            // --immediate-mode: packets reach tcpdump as they come (not in kernel blocks that a stop
            // would drop); -U: each is written to the file at once.
            Process tcpdump = new ProcessBuilder("tcpdump", "-i", "lo", "--immediate-mode", "-U", "-s", "0",
                    "-w", pcap.toString(),
                    String.join(" or ", filter))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("tcpdump.log").toFile()).start();
            try {
                Awaitility.await("tcpdump listening").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> Files.readString(dir.resolve("tcpdump.log")).contains("listening on"));
                TestHttp writer = new TestHttp(cluster.uris().get(0));
                for (int i = 0; i < 20; i++) {
                    assertThat(writer.put("/api/session/attributes/card", "\"" + marker + "-" + i + "\"").status())
                            .isEqualTo(204);
                }
                // The last value is on the other node: it crossed the cluster network.
                TestHttp reader = new TestHttp(cluster.uris().get(1));
                reader.sessionId(writer.sessionId());
                assertThat(reader.get("/api/session/attributes/card").body()).contains(marker + "-19");
                Awaitility.await("the writes' packets in the capture").atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(100)).until(() -> Files.size(pcap) > 4096);
            } finally {
                tcpdump.destroy(); // SIGTERM: tcpdump flushes and exits
                if (!tcpdump.waitFor(10, TimeUnit.SECONDS)) {
                    tcpdump.destroyForcibly();
                }
            }
        }
        byte[] bytes = Files.readAllBytes(pcap);
        return new Capture(count(new String(bytes, StandardCharsets.ISO_8859_1), marker), bytes.length,
                Files.readString(dir.resolve("tcpdump.log")));
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
