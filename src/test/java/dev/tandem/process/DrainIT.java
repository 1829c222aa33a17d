package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.TestHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM under load: the node turns unready at once, and clients that behave like a balancer
 * (stop sending a moment after readiness turns 503) never see a failed request; exit code 0.
 */
class DrainIT {

    @Test
    void sigtermUnderLoadFailsNoRequestAndExitsZero(@TempDir Path logs) throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(2, logs, "--drain-seconds", "3")) {
            NodeProcess target = cluster.nodes.get(0);
            AtomicBoolean notReadySeen = new AtomicBoolean();
            AtomicBoolean stopSending = new AtomicBoolean();
            AtomicLong ok = new AtomicLong();
            AtomicLong okWhileDraining = new AtomicLong();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(7);
            List<Future<?>> clients = new ArrayList<>();
            for (int u = 0; u < 6; u++) {
                clients.add(pool.submit(() -> {
                    TestHttp http = new TestHttp(target.uri());
                    for (int i = 0; i < 5000 && !stopSending.get(); i++) {
                        try {
                            TestHttp.Reply r = i % 2 == 0 ? http.post("/api/session/counter", null) : http.get("/api/session");
                            if (r.status() == 200) {
                                ok.incrementAndGet();
                                if (notReadySeen.get()) {
                                    okWhileDraining.incrementAndGet();
                                }
                            } else {
                                failures.add(r.status() + " " + r.body());
                            }
                        } catch (RuntimeException e) {
                            failures.add(e.getMessage());
                        }
                    }
                }));
            }
            // The "balancer": watches readiness and stops sending 1 s after it turns 503 (HAProxy's fall time).
            Future<Long> balancer = pool.submit(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < until) {
                    if (new TestHttp(target.uri()).get("/health/ready").status() == 503) {
                        long seen = System.nanoTime();
                        notReadySeen.set(true);
                        Thread.sleep(1000);
                        stopSending.set(true);
                        return seen;
                    }
                    Thread.sleep(100);
                }
                stopSending.set(true);
                return -1L;
            });
            org.awaitility.Awaitility.await("load under way").atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= 200);
            long termAt = System.nanoTime();
            target.terminate();
            long unreadyAfterMs = (balancer.get(70, TimeUnit.SECONDS) - termAt) / 1_000_000;
            for (Future<?> f : clients) {
                f.get(70, TimeUnit.SECONDS);
            }
            int exit = target.waitExit(Duration.ofSeconds(60));
            long exitAfterMs = (System.nanoTime() - termAt) / 1_000_000;
            pool.shutdownNow();
            System.out.printf("[drain] ok=%d okWhileDraining=%d failures=%d unreadyAfter=%dms exitAfter=%dms exit=%d%n",
                    ok.get(), okWhileDraining.get(), failures.size(), unreadyAfterMs, exitAfterMs, exit);

            assertThat(failures).as("failed requests during drain").isEmpty();
            assertThat(okWhileDraining.get()).as("the node kept serving while draining").isPositive();
            assertThat(exit).as("exit code").isZero();
            assertThat(target.readLog()).contains("draining (SIGTERM)").contains("left the cluster");
            // The other node still has the sessions and is ready alone.
            ProcessCluster.awaitReady(1, List.of(cluster.nodes.get(1)));
        }
    }
}
