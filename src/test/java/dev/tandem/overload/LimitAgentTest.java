package dev.tandem.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.NodeConfig;
import dev.tandem.testing.AgentCheck;
import dev.tandem.testing.RunningNode;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node's side of HAProxy's agent check, on a real node (ports 0). */
class LimitAgentTest {
    private RunningNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void eachConnectionToTheAgentPortGetsTheNodesRequestLimitAsHaproxysMaxconnAndIsClosed() throws IOException {
        node = RunningNode.start(NodeConfig.standalone("a1")
                .withOverload(OverloadLimits.defaults().withMaxRequests(7).withAgentPort(0)));
        int port = node.node().agentPort();
        assertThat(port).isPositive().isNotEqualTo(node.uri().getPort());
        for (int i = 0; i < 3; i++) {
            assertThat(AgentCheck.read("127.0.0.1", port)).isEqualTo("maxconn:7\n");
        }
        assertThat(node.client().get("/api/node").status()).isEqualTo(200);
    }

    @Test
    void withoutAnAgentPortTheNodeOpensNoSecondPort() {
        node = RunningNode.standalone("a2");
        assertThat(node.node().agentPort()).isEqualTo(-1);
        assertThat(node.node().config().overload().hasAgent()).isFalse();
    }

    @Test
    void theDefaultLimitIsTheRequestsPerCoreOfNodeLimitsEnvTimesTheCores() {
        OverloadLimits one = OverloadLimits.defaults(1);
        assertThat(OverloadLimits.defaults(4).maxRequests()).isEqualTo(4 * one.maxRequests());
        assertThat(OverloadLimits.defaults().maxRequests())
                .isEqualTo(Runtime.getRuntime().availableProcessors() * one.maxRequests());
        assertThat(one.maxRequestsGiven()).isFalse();
        assertThat(one.withMaxRequests(3).maxRequestsGiven()).isTrue();
    }
}
