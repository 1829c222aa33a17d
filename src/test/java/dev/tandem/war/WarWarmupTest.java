package dev.tandem.war;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tandem.api.Health;
import dev.tandem.config.NodeConfig;
import dev.tandem.lifecycle.ListeningAddress;
import dev.tandem.lifecycle.Readiness;
import dev.tandem.lifecycle.Warmup;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.SessionsLeft;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A WAR node's pass: it starts once the server listens (the jetty-base's future), the node turns
 * ready only after it, and an undeploy before then leaves the node not ready. A jar node on port 0
 * stands in for Jetty's connector; WarInJettyDistributionIT runs the real one.
 */
class WarWarmupTest {
    private static final NodeConfig ONE_SECOND_PASS = NodeConfig.standalone("ww").withWarmup(Duration.ofSeconds(1));

    @Test
    @SuppressWarnings("try") // the warm-up is opened for what it does meanwhile, and closed at the end
    void theNodeTurnsReadyOnlyAfterThePassThroughTheServerOnceItListens() throws Exception {
        try (RunningNode target = RunningNode.standalone("wt1")) {
            CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
            Readiness readiness = new Readiness();
            try (PassLog log = new PassLog();
                 WarWarmup warmup = WarWarmup.start(listening, ONE_SECOND_PASS, target.node().cluster(), readiness)) {
                assertThat(readiness.state()).as("before the server listens").isEqualTo(Readiness.State.STARTING);
                Health health = new Health(readiness, target.node().cluster());
                assertThat(health.ready().status()).isEqualTo(503);
                assertThat(health.ready().body()).as("says why it is not ready yet")
                        .containsEntry("reason", "warming up: not ready until its request paths are compiled (at most 1 s)");
                assertThat(log.lines()).as("no pass before the server listens").isEmpty();
                listening.complete(ListeningAddress.of(target.node().server()));
                Awaitility.await("ready after the pass").atMost(Duration.ofSeconds(30))
                        .until(() -> readiness.state() == Readiness.State.SERVING);
                assertThat(health.ready().status()).isEqualTo(200);
                assertThat(health.ready().body()).as("no reason once ready").doesNotContainKey("reason");
                assertThat(log.lines()).as("the pass, logged before the node turned ready").singleElement().asString()
                        .startsWith("warmed up in").containsPattern(": [1-9]\\d* requests").contains("(0 failed)");
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the warm-up is opened for what it does meanwhile, and closed at the end
    void aServerThatNeverListensLeavesTheNodeNotReady() throws Exception {
        CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
        Readiness readiness = new Readiness();
        try (WarWarmup warmup = WarWarmup.start(listening, ONE_SECOND_PASS, null, readiness)) {
            listening.completeExceptionally(new IllegalStateException("port taken"));
            assertThat(readiness.state()).isEqualTo(Readiness.State.STARTING);
            assertThat(readiness.startingReason()).as("not 'warming up': no pass will run")
                    .hasValue("the server did not start listening: port taken");
        }
    }

    @Test
    void aWebappUndeployedDuringItsPassNeverTurnsReady() throws Exception {
        try (RunningNode target = RunningNode.standalone("wt2")) {
            CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
            Readiness readiness = new Readiness();
            try (PassLog log = new PassLog()) {
                WarWarmup warmup = WarWarmup.start(listening, NodeConfig.standalone("ww").withWarmup(Duration.ofSeconds(60)),
                        target.node().cluster(), readiness);
                listening.complete(ListeningAddress.of(target.node().server()));
                Awaitility.await("the pass's sessions under way").atMost(Duration.ofSeconds(30))
                        .until(() -> target.node().cluster().localSessionCount() > 0);
                warmup.close();
                Awaitility.await("the pass's end").atMost(Duration.ofSeconds(20)).until(() -> !log.lines().isEmpty());
                assertThat(log.lines()).singleElement().asString().contains("stopped early");
                SessionsLeft.awaitNone(target, Duration.ofSeconds(20), "the pass: " + log.lines().get(0));
            }
            assertThat(readiness.state()).isEqualTo(Readiness.State.STARTING);
        }
    }

    @Test
    void aJettyBaseWithoutTheHandOverStopsTheDeploymentAndSaysWhatIsMissing() {
        assertThatThrownBy(() -> WarWarmup.start(null, ONE_SECOND_PASS, null, new Readiness()))
                .hasMessageContaining(ListeningAddress.ATTRIBUTE).hasMessageContaining("webapps/ROOT.xml");
    }

    /** The warm-up pass's log lines while it runs (its one line says what it sent and how many failed). */
    private static final class PassLog implements AutoCloseable {
        private final Logger logger = (Logger) LoggerFactory.getLogger(Warmup.class);
        private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

        PassLog() {
            lines.start();
            logger.addAppender(lines);
        }

        List<String> lines() {
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }

        @Override
        public void close() {
            logger.detachAppender(lines);
        }
    }
}
