package dev.tandem.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tandem.config.NodeConfig;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.SessionsLeft;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.eclipse.jetty.io.ConnectionStatistics;
import org.eclipse.jetty.util.component.LifeCycle;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The warm-up pass: real requests through the node's own stack, none failing, no session left behind. */
class WarmupTest {

    @Test
    void aStandalonePassUsesSessionsAndLeavesNoneBehind() throws Exception {
        try (RunningNode node = RunningNode.standalone("w1")) {
            Warmup pass = new Warmup(ListeningAddress.of(node.node().server()), Duration.ofSeconds(1), Warmup.UNPACED, 4, () -> true);
            pass.run();
            assertThat(pass.requests()).as("requests sent").isGreaterThan(4 * 10L);
            assertThat(pass.failures()).as("failed requests").isZero();
            assertThat(node.node().cluster().localSessionCount()).as("sessions left").isZero();
        }
    }

    @Test
    void thePassKeepsItsConnectionsAliveAsClientsDo() throws Exception {
        try (RunningNode node = RunningNode.standalone("w4")) {
            ConnectionStatistics connections = new ConnectionStatistics();
            node.node().server().getConnectors()[0].addEventListener(connections);
            LifeCycle.start(connections);
            Warmup pass = new Warmup(ListeningAddress.of(node.node().server()), Duration.ofSeconds(1), Warmup.UNPACED, 4, () -> true);
            pass.run();
            assertThat(pass.failures()).isZero();
            assertThat(pass.requests()).as("requests sent").isGreaterThan(40);
            // One per client, one to make each session (the shared one, each client's, each renewal's), one to end the shared one.
            assertThat(connections.getConnectionsTotal()).as("connections opened for %d requests", pass.requests())
                    .isBetween(1L, 4 + pass.sessionsMade() + 1);
        }
    }

    @Test
    void aPassWithoutSessionsCreatesNone() throws Exception {
        try (RunningNode node = RunningNode.standalone("w2")) {
            Warmup pass = new Warmup(ListeningAddress.of(node.node().server()), Duration.ofMillis(500), 0, 4, () -> true);
            pass.run();
            assertThat(pass.requests()).isPositive();
            assertThat(pass.failures()).isZero();
            assertThat(node.node().cluster().localSessionCount()).isZero();
        }
    }

    @Test
    void theJitCountsAsDoneOnlyAfterThreeQuietSecondsInARow() {
        int run = 0;
        for (long compiledMs : new long[] {900, 10, 0, 700, 49, 0}) {
            run = JitWatch.quietRun(run, compiledMs);
        }
        assertThat(run).as("a busy second starts the count again").isEqualTo(2).isLessThan(JitWatch.QUIET_SECONDS);
        assertThat(JitWatch.quietRun(run, JitWatch.QUIET_MS_PER_SECOND - 1)).isEqualTo(JitWatch.QUIET_SECONDS);
        assertThat(JitWatch.quietRun(run, JitWatch.QUIET_MS_PER_SECOND)).isZero();
    }

    @Test
    void aPassWhoseThreadIsInterruptedStopsEarlyAndLeavesNoSessionBehind() throws Exception {
        try (RunningNode node = RunningNode.standalone("w5")) {
            Warmup pass = new Warmup(ListeningAddress.of(node.node().server()), Duration.ofSeconds(60), Warmup.UNPACED, 4, () -> true);
            Thread runner = startOnItsOwnThread(pass);
            Awaitility.await("session rounds under way").atMost(Duration.ofSeconds(30)).until(() -> pass.sessionRounds() > 0);
            interruptAndJoin(runner);
            assertThat(runner.isAlive()).as("the pass still running 20 s after its interrupt").isFalse();
            awaitNoSessionLeft(node, pass);
        }
    }

    @Test
    void oneClientEndsItsSessionAndStartsANewOneWhileThePassRuns() throws Exception {
        try (RunningNode node = RunningNode.standalone("w6")) {
            Warmup pass = new Warmup(ListeningAddress.of(node.node().server()), Duration.ofSeconds(60), Warmup.UNPACED, 4, () -> true);
            Thread runner = startOnItsOwnThread(pass);
            try {
                // The shared session, the 4 clients' own, and two renewals past those.
                Awaitility.await("sessions renewed").atMost(Duration.ofSeconds(60)).until(() -> pass.sessionsMade() >= 1 + 4 + 2);
                assertThat(node.node().cluster().localSessionCount()).as("sessions alive at once, %d made", pass.sessionsMade())
                        .isLessThanOrEqualTo(1 + 4);
            } finally {
                interruptAndJoin(runner);
            }
            assertThat(pass.failures()).isZero();
            awaitNoSessionLeft(node, pass);
        }
    }

    private static Thread startOnItsOwnThread(Warmup pass) {
        Thread runner = new Thread(pass::run, "warmup-under-test");
        runner.start();
        return runner;
    }

    /** Interrupts the pass's thread, as a WAR node's undeploy does, and gives it 20 s to end. */
    private static void interruptAndJoin(Thread runner) throws InterruptedException {
        runner.interrupt();
        runner.join(Duration.ofSeconds(20).toMillis());
    }

    private static void awaitNoSessionLeft(RunningNode node, Warmup pass) {
        SessionsLeft.awaitNone(node, Duration.ofSeconds(10), "the pass: " + pass.requests() + " requests, "
                + pass.failures() + " failed, " + pass.sessionsMade() + " sessions made");
    }

    @Test
    void requestsTheNodeDoesNotAnswerInTimeAreCountedApartFromErrorsAndNoneFollowsOnceThePassStops() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Warmup.class);
        logger.addAppender(log);
        // The kernel takes the connections into the backlog; nobody ever reads or answers them.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Warmup pass = new Warmup(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()),
                    Duration.ofSeconds(1), 0, 2, () -> true);
            pass.run();
            // Every failure a timeout, and no other kind; each of the 2 clients' first request outlasts the
            // 1 s budget, and once the pass has stopped a client sends nothing more.
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).filteredOn(m -> m.startsWith("warmed up in"))
                    .singleElement().asString().contains("(2 failed: 2 not answered in time)");
            assertThat(pass.requests()).as("requests sent").isEqualTo(2);
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void aZeroBudgetSendsNothing() {
        Warmup pass = new Warmup(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), Duration.ZERO, Warmup.UNPACED, 4, () -> true);
        pass.run();
        assertThat(pass.requests()).isZero();
    }

    @Test
    void aNodeWithAWarmUpBudgetRunsThePassBeforeItSaysItIsReady() {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Warmup.class);
        logger.addAppender(log);
        try (RunningNode node = RunningNode.start(NodeConfig.standalone("w3").withWarmup(Duration.ofSeconds(1)))) {
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                    .singleElement().asString().startsWith("warmed up in").contains("(0 failed)");
            assertThat(node.node().readiness().state()).isEqualTo(Readiness.State.SERVING);
            assertThat(node.node().cluster().localSessionCount()).isZero();
        } finally {
            logger.detachAppender(log);
        }
    }
}
