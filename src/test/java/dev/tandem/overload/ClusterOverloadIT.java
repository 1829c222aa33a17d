package dev.tandem.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.lab.LocalLab;
import dev.tandem.testing.Requirements;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local lab (HAProxy + 3 nodes on loopback, the nodes sharing one core) under an open-loop crowd
 * at many times what it serves, through the VIP: everyone is answered within the queue budget,
 * served or refused with 503 JSON + Retry-After, no node is marked DOWN, a node drained meanwhile
 * leaves without failing anything, no acknowledged write is lost, and the lab answers normally right
 * after.
 */
class ClusterOverloadIT {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterOverloadIT.class);
    private static final Duration QUEUE = Duration.ofMillis(1000);
    /** Several times what the nodes on one core serve (about 70-330 OK/s cold), within what one client core drives. */
    private static final int RATE = 800;
    private LocalLab lab;

    @AfterEach
    void stopLab() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theLabAtManyTimesItsCapacityAnswersEveryoneWithinTheBudgetKeepsEveryNodeUpDrainsOneAndLosesNoAcknowledgedWrite()
            throws Exception {
        Requirements.command("haproxy");
        lab = new LocalLab("tovl", "127.0.17", 3);
        lab.up();
        // HAProxy's per-server limit is each node's own, read from its agent, not a copy of it.
        Awaitility.await("HAProxy's maxconn for every node is that node's request limit")
                .atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                    var servers = lab.haproxy.servers("tandem");
                    for (String n : lab.nodes()) {
                        double limit = new dev.tandem.testing.TestHttp(lab.node(n)).metric("tandem_overload_limit").orElseThrow();
                        assertThat(Double.parseDouble(servers.get(n).get("slim"))).as(n).isEqualTo(limit);
                    }
                });
        long[] pids = new long[3];
        for (int i = 0; i < 3; i++) {
            pids[i] = lab.pid("n" + (i + 1));
        }
        OverloadChecks.pinToFirstCore(pids);
        URI vip = lab.vip();
        List<String> sessions = OverloadChecks.newSessions(vip, 150);

        ConcurrentLinkedQueue<String> notUp = new ConcurrentLinkedQueue<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicBoolean draining = new AtomicBoolean(false);
        Thread watcher = new Thread(() -> {
            while (loading.get()) {
                for (String n : lab.nodes()) {
                    String status = lab.haproxy.status(n);
                    if (!status.equals("UP") && !(n.equals("n3") && draining.get())) {
                        notUp.add(n + " " + status);
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "haproxy-watcher");
        watcher.start();
        OpenLoop load = new OpenLoop(List.of(vip), sessions, Duration.ofSeconds(15), 5000);
        List<OpenLoop.Sample> samples;
        String drained;
        long drainMs;
        try {
            CompletableFuture<List<OpenLoop.Sample>> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return load.run(RATE, Duration.ofSeconds(15));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // A drain while the lab sheds load: n3 stops taking new requests, finishes its own and exits.
            long servedBefore = lab.haproxy.sessionsTotal("n3");
            Awaitility.await("overload under way on n3").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> lab.haproxy.sessionsTotal("n3") >= servedBefore + 50 || run.isDone());
            draining.set(true);
            long t0 = System.nanoTime();
            drained = lab.lab(Duration.ofSeconds(60), "drain", "n3");
            drainMs = (System.nanoTime() - t0) / 1_000_000;
            samples = run.get(2, TimeUnit.MINUTES);
        } finally {
            loading.set(false);
            watcher.join(5000);
        }
        Figures f = Figures.of(samples, 15);
        LOG.info("3 nodes through HAProxy, open loop: {}; n3 drained in {} ms during it", f.line(), drainMs);
        assertThat(drained).as("n3 drained during the overload").contains("n3 drained and exited");

        assertThat(f.refused()).as("the load exceeded the lab's capacity (else this test proves nothing): " + f.line())
                .isPositive();
        OverloadChecks.assertBudgetHeld(samples, QUEUE);
        assertThat(notUp).as("HAProxy's view of the nodes during the load").isEmpty();
        // The history first: the recovery's increments are not in it.
        LOG.info("history: {}", OverloadChecks.assertNoAcknowledgedWriteLost(load.history(), sessions, vip).summary());
        OverloadChecks.assertRecovers(vip, sessions.get(0));
    }
}
