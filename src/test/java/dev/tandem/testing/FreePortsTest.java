package dev.tandem.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void aClusterPortAndItsFailureDetectionPortLieBelowTheKernelsEphemeralPorts() throws IOException {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.exists(range)) {
            int low = Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
            if (low > 21_100) { // a range that leaves room below it (Linux's default starts at 32768)
                assertThat(FreePorts.ephemeralLow()).isEqualTo(low);
            }
        }
        for (int i = 0; i < 20; i++) {
            int p = FreePorts.clusterPort("127.0.0.1");
            assertThat(p).isGreaterThanOrEqualTo(20_000);
            assertThat(p + 100).isLessThan(FreePorts.ephemeralLow());
            assertThat(FreePorts.httpPort("127.0.0.1")).isLessThan(FreePorts.ephemeralLow());
        }
    }

    @Test
    void noPortIsHandedOutTwice() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int p = FreePorts.clusterPort("127.0.0.1");
            assertThat(seen.add(p) && seen.add(p + 100)).as("port %d or %d again", p, p + 100).isTrue();
            int h = FreePorts.httpPort("127.0.0.1");
            assertThat(seen.add(h)).as("port %d again", h).isTrue();
        }
    }
}
