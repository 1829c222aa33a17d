package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.infinispan.Cache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Nodes' lines for one session's lock on a real (local) Infinispan cache: the setting of the line's tests and the shared reads'. */
abstract class LockLineFixture {
    static final String KEY = "session-1";
    LocalLockCache local;
    Cache<String, String> lockCache;
    final ExecutorService threads = Executors.newCachedThreadPool();
    private final ScheduledExecutorService giveBacks = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void startCache() {
        local = new LocalLockCache();
        lockCache = local.cache;
    }

    @AfterEach
    void stopCache() {
        threads.shutdownNow();
        giveBacks.shutdownNow();
        local.close();
    }

    /** One node's line, wired as SessionLayer wires it: it hears other nodes ask for its locks. */
    SessionLockQueue line(String name, Duration wait, Duration passFor, Duration yieldFor) {
        SessionLocks locks = new SessionLocks(lockCache, name, wait, Duration.ofSeconds(30), local.gate());
        SessionLockQueue queue = new SessionLockQueue(locks, passFor, yieldFor, giveBacks);
        locks.asks().whenAsked(queue::asked);
        return queue;
    }

    /**
     * No lock in the cluster, no line on the node and no lock token in use there, once any kept
     * lock's window is over.
     */
    void assertNothingLeft(SessionLockQueue queue) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(lockCache.containsKey(KEY)).as("lock left behind").isFalse();
            assertThat(queue.lines()).as("lines left").isZero();
            assertThat(queue.locks().tokensInUse()).as("lock tokens still in use").isZero();
        });
    }

    /** {@code clients} clients each sending {@code each} requests ({@code request}) at once; returns when all are done. */
    void inParallel(int clients, int each, Runnable request) throws Exception {
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            running.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < each; i++) {
                    request.run();
                }
            }, threads));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /**
     * While 8 clients keep sending {@code oneRequest} to a node (until {@code busy} says it has a
     * line), another node's requests each get the session within a second, ten times.
     */
    void assertAnotherNodeGetsIn(Runnable oneRequest, java.util.function.BooleanSupplier busy, SessionLockQueue other)
            throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            clients.add(CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    oneRequest.run();
                }
            }, threads));
        }
        try {
            await().atMost(Duration.ofSeconds(5)).until(busy::getAsBoolean);
            long slowest = 0;
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                LockLease lease = other.acquire(KEY); // refused after its budget if the busy node never let go
                slowest = Math.max(slowest, System.nanoTime() - t0);
                other.release(lease);
            }
            assertThat(Duration.ofNanos(slowest)).as("the other node's longest wait").isLessThan(Duration.ofSeconds(1));
        } finally {
            running.set(false);
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !lockCache.containsKey(KEY));
    }
}
