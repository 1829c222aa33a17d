package dev.tandem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.NodeConfig;
import dev.tandem.testing.RunningNode;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The "listening on" URL comes from Jetty (Server.getURI) and keeps the bound host as configured. */
class TandemNodeUriTest {
    private static NodeConfig on(String host) {
        NodeConfig s = NodeConfig.standalone("u1");
        return new NodeConfig(host, 0, s.node(), s.peers(), s.clusterHost(), s.clusterPort(), s.clusterName(),
                s.sessionTimeout(), s.drainTime(), s.stopTimeout(), s.trustedProxies(), s.sessionClasses(),
                s.transportSecurity(), s.overload(), s.sessionLimits(), s.warmup(), s.eventsWriteTimeout());
    }

    @Test
    void anExplicitHostIsTheUrlsHostWithTheRealPort() {
        try (RunningNode n = RunningNode.start(on("127.0.0.1"))) {
            URI uri = n.node().uri();
            assertThat(uri.getScheme()).isEqualTo("http");
            assertThat(uri.getHost()).isEqualTo("127.0.0.1");
            assertThat(uri.getPort()).isPositive();
            assertThat(uri.getPath()).isEqualTo("/");
            assertThat(n.client().get("/health/live").status()).isEqualTo(200);
        }
    }

    @Test
    void theWildcardHostStaysInTheUrlForTheLogLine() {
        try (RunningNode n = RunningNode.start(on("0.0.0.0"))) {
            assertThat(n.node().uri().toString()).matches("http://0\\.0\\.0\\.0:[1-9][0-9]*/");
            assertThat(n.client().get("/health/live").status()).as("reachable on loopback").isEqualTo(200);
        }
    }
}
