package dev.tandem.api;

import dev.tandem.api.errors.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where session work runs, off Jetty's request threads. A resource that touches the session
 * returns a CompletionStage from here; the response is written (and with it the session flushed
 * and replicated, which waits on every cluster member) on this pool, so a cluster slowed by a
 * dying member holds these threads, not the ones that accept requests and answer health checks.
 */
public final class SessionWork implements AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final ExecutorService monitored;

    public SessionWork(int threads, int queue, MeterRegistry registry) {
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "tandem-session-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.monitored = ExecutorServiceMetrics.monitor(registry, pool, "tandem.session.work");
    }

    /**
     * Runs work on the pool. Failures complete the stage with the exception itself (not wrapped),
     * so the API's exception mappers see an ApiException as an ApiException.
     */
    public <T> CompletionStage<T> supply(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            monitored.execute(() -> {
                try {
                    result.complete(work.get());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new ApiException(503, "unavailable", "the node is overloaded; retry shortly"));
        }
        return result;
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
