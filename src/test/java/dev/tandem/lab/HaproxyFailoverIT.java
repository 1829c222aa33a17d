package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.Requirements;
import dev.tandem.testing.TestHttp;
import dev.tandem.testing.load.LoadDriver;
import dev.tandem.testing.load.LoadResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The local lab (3 node processes + a real HAProxy on loopback) under load while nodes are killed,
 * drained and restarted. Virtual users go through the VIP only, as real clients would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaproxyFailoverIT {
    private static LocalLab lab;

    @BeforeAll
    static void startLab() throws Exception {
        Requirements.command("haproxy");
        lab = new LocalLab("tlab");
        lab.up();
    }

    @AfterAll
    static void stopLab() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    /** A failed test keeps the lab's logs (nodes, HAProxy) in target/test-logs/haproxy-METHOD. */
    @RegisterExtension
    static final TestWatcher KEEP_LOGS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (lab != null) {
                lab.keepLogs("haproxy-" + context.getRequiredTestMethod().getName());
            }
        }
    };

    @AfterEach
    void allNodesBack() {
        lab.heal();
    }

    private static LoadDriver load(int users, int ops) {
        return new LoadDriver(List.of(lab.vip()), users, ops, Duration.ofSeconds(120), Duration.ofMillis(10));
    }

    /** The failures in the assertion's message: on CI only the message reaches whoever reads the tail. */
    private static String failed(LoadResult r) {
        return r.failureKinds() + r.failureSamples().stream().limit(3)
                .map(line -> "\n  " + (line.length() > 400 ? line.substring(0, 400) + "..." : line))
                .collect(Collectors.joining());
    }

    @Test
    @Order(0)
    void everyNodeOfTheLabStartsFromTheClassArchiveMadeForItsJar() throws Exception {
        for (String n : lab.nodes()) {
            assertThat(java.nio.file.Files.readString(Path.of("/proc", Long.toString(lab.pid(n)), "maps")))
                    .as(n + " maps the lab's tandem.jsa (bin/tandem-class-archive)").contains("/tandem.jsa");
        }
    }

    @Test
    @Order(1)
    void f4aSessionStaysOnTheNodeInItsIdSuffixAndMovesToOneNodeWhenThatNodeDies() {
        TestHttp user = new TestHttp(lab.vip());
        assertThat(user.post("/api/cart/items", "{\"sku\":\"tea\",\"qty\":3}").status()).isEqualTo(201);
        String home = user.sessionId().substring(user.sessionId().lastIndexOf('.') + 1);
        for (int i = 0; i < 20; i++) {
            assertThat(user.get("/api/cart").node()).as("request " + i + " follows the id suffix").isEqualTo(home);
        }

        long killedAt = System.nanoTime();
        lab.lab(Duration.ofSeconds(60), "kill", home);
        Set<String> servedBy = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            TestHttp.Reply r = user.get("/api/cart");
            assertThat(r.status()).as("read " + i + " after the kill").isEqualTo(200);
            assertThat(r.json().get("totalQuantity").asInt()).isEqualTo(3);
            servedBy.add(r.node());
        }
        assertThat(servedBy).as("after failover the session sticks to one node").hasSize(1);
        String newHome = servedBy.iterator().next();
        assertThat(newHome).isNotEqualTo(home);
        assertThat(user.sessionId()).as("the suffix follows the node that now serves").endsWith("." + newHome);
        System.out.printf("[F4] session moved from %s to %s; first reads after the kill all ok (%d ms)%n",
                home, newHome, (System.nanoTime() - killedAt) / 1_000_000);
    }

    @Test
    @Order(2)
    void f1killNineOfOneNodeUnderLoadFailsNoReadAndLosesNoWriteAndTheNodeComesBackClean() throws Exception {
        LoadDriver driver = load(8, 600);
        CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(driver::run);
        Awaitility.await("load under way").atMost(Duration.ofSeconds(30)).until(() -> driver.progress().writesOk() >= 200);

        String killed = lab.lab(Duration.ofSeconds(60), "kill", "n2");
        Awaitility.await("n2 out of HAProxy").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> lab.haproxy.status("n2").startsWith("DOWN"));
        // The lab's own figure, from its kill -9 to HAProxy's DOWN: the script's start-up under a busy CPU is not HAProxy's.
        Matcher down = Pattern.compile("HAProxy marked n2 DOWN after (\\d+)\\.(\\d) s").matcher(killed);
        assertThat(down.find()).as("the lab reports when HAProxy marked n2 DOWN:\n" + killed).isTrue();
        long markDownMs = Long.parseLong(down.group(1)) * 1000 + Long.parseLong(down.group(2)) * 100;
        Awaitility.await("load goes on without n2").atMost(Duration.ofSeconds(30))
                .until(() -> driver.progress().writesOk() >= 400 || run.isDone());

        long unknownBeforeRestart = driver.progress().writesUnknown();
        long failedReadsBeforeRestart = driver.progress().readsFailed();
        long t1 = System.nanoTime();
        lab.lab(Duration.ofMinutes(3), "start", "n2");
        lab.awaitAllUp();
        long recoverMs = (System.nanoTime() - t1) / 1_000_000;
        long writesAtRecovery = driver.progress().writesOk();
        Awaitility.await("load runs on the healed cluster").atMost(Duration.ofSeconds(60))
                .until(() -> driver.progress().writesOk() >= writesAtRecovery + 200 || run.isDone());
        driver.stop();
        LoadResult r = run.get(3, TimeUnit.MINUTES);

        System.out.printf("[F1] %s; n2 marked DOWN %d ms after kill -9; restart to ready+UP+clustered %d ms; %s%n",
                r.summary(), markDownMs, recoverMs,
                r.writeFailures(Path.of("target", "test-logs", "haproxy-f1-failed-requests.txt")));
        assertThat(r.lostWrites()).as("lost acknowledged writes" + r.anomalies()).isZero();
        assertThat(r.violations()).as("violations" + r.anomalies()).isEmpty();
        assertThat(r.appliedTwice()).as("users with a write applied twice").isZero();
        assertThat(r.readsFailed()).as("failed GETs (" + r.failureKinds() + ")").isZero();
        assertThat(r.writesUnknown()).as("errors while n2 came back").isEqualTo(unknownBeforeRestart);
        assertThat(r.readsFailed()).isEqualTo(failedReadsBeforeRestart);
        assertThat(markDownMs).as("a dead node is out of HAProxy within ~2 s").isLessThan(5000);
    }

    @Test
    @Order(3)
    void f3drainingANodeSendsItNothingNewLetsInFlightRequestsFinishAndFailsNothing() throws Exception {
        LoadDriver driver = load(8, 600);
        CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(driver::run);
        Awaitility.await("load under way").atMost(Duration.ofSeconds(30)).until(() -> driver.progress().writesOk() >= 200);

        long t0 = System.nanoTime();
        String out = lab.lab(Duration.ofMinutes(2), "drain", "n1");
        long drainMs = (System.nanoTime() - t0) / 1_000_000;
        long sessionsAfterDrain = lab.haproxy.sessionsTotal("n1");
        long writesAfterDrain = driver.progress().writesOk();
        Awaitility.await("load goes on without n1").atMost(Duration.ofSeconds(60))
                .until(() -> driver.progress().writesOk() >= writesAfterDrain + 200 || run.isDone());
        assertThat(lab.haproxy.sessionsTotal("n1")).as("HAProxy sent n1 nothing new").isEqualTo(sessionsAfterDrain);
        driver.stop();
        LoadResult r = run.get(3, TimeUnit.MINUTES);

        System.out.printf("[F3] %s; drain of n1 took %d ms; %s%n", r.summary(), drainMs,
                r.writeFailures(Path.of("target", "test-logs", "haproxy-f3-failed-requests.txt")));
        assertThat(r.readsFailed() + r.writesUnknown()).as("failed requests during drain: " + failed(r) + "\n" + out).isZero();
        assertThat(r.lostWrites()).isZero();
        assertThat(r.violations()).as("violations" + r.anomalies()).isEmpty();
    }

    @Test
    @Order(4)
    void f2aRollingRestartOfAllNodesUnderLoadFailsNothingAndLosesNothing() throws Exception {
        LoadDriver driver = load(8, 5000);
        CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(driver::run);
        Awaitility.await("load under way").atMost(Duration.ofSeconds(30)).until(() -> driver.progress().writesOk() >= 200);

        long t0 = System.nanoTime();
        lab.lab(Duration.ofMinutes(8), "restart");
        long restartMs = (System.nanoTime() - t0) / 1_000_000;
        lab.awaitAllUp();
        driver.stop();
        LoadResult r = run.get(3, TimeUnit.MINUTES);

        System.out.printf("[F2] %s; rolling restart of 3 nodes took %d ms; %s%n", r.summary(), restartMs,
                r.writeFailures(Path.of("target", "test-logs", "haproxy-f2-failed-requests.txt")));
        assertThat(r.readsFailed() + r.writesUnknown()).as("failed requests of any kind: " + failed(r)).isZero();
        assertThat(r.lostWrites()).isZero();
        assertThat(r.violations()).as("violations" + r.anomalies()).isEmpty();
        assertThat(r.writesOk()).as("the load ran through the restart").isGreaterThan(400);
    }

    @Test
    @Order(5)
    void f5aFrozenNodeIsMarkedDownWithinSecondsWhileTheOthersServeAndComesBackWhenThawed() throws Exception {
        LoadDriver driver = load(8, 5000);
        CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(driver::run);
        Awaitility.await("load under way").atMost(Duration.ofSeconds(30)).until(() -> driver.progress().writesOk() >= 200);

        long t0 = System.nanoTime();
        lab.signal("n3", "STOP");
        Awaitility.await("frozen n3 out of HAProxy").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> lab.haproxy.status("n3").startsWith("DOWN"));
        long markDownMs = (System.nanoTime() - t0) / 1_000_000;
        long writesAtDown = driver.progress().writesOk();
        StringBuilder timeline = new StringBuilder();
        Awaitility.await("load goes on without n3").atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    LoadResult p = driver.progress();
                    timeline.append(String.format(" %ds:ok=%d/unknown=%d/readsFailed=%d",
                            (System.nanoTime() - t0) / 1_000_000_000, p.writesOk(), p.writesUnknown(), p.readsFailed()));
                    assertThat(p.writesOk() >= writesAtDown + 200 || run.isDone())
                            .as("200 writes after n3 was marked DOWN (at %d):%s", writesAtDown, timeline).isTrue();
                });
        long frozenMs = (System.nanoTime() - t0) / 1_000_000;

        long t1 = System.nanoTime();
        lab.signal("n3", "CONT");
        lab.awaitAllUp();
        long backMs = (System.nanoTime() - t1) / 1_000_000;
        driver.stop();
        LoadResult r = run.get(3, TimeUnit.MINUTES);

        System.out.printf("[F5] %s; n3 frozen (SIGSTOP) marked DOWN after %d ms, frozen %d ms, UP and clustered %d ms"
                        + " after SIGCONT; %s%n", r.summary(), markDownMs, frozenMs, backMs,
                r.writeFailures(Path.of("target", "test-logs", "haproxy-f5-failed-requests.txt")));
        assertThat(markDownMs).as("a node that hangs is out of HAProxy within a few seconds").isLessThan(5000);
        assertThat(r.lostWrites()).as("lost acknowledged writes" + r.anomalies()).isZero();
        assertThat(r.violations()).as("violations" + r.anomalies()).isEmpty();
        assertThat(r.appliedTwice()).as("users with a write applied twice").isZero();
    }
}
