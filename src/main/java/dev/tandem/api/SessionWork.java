package dev.tandem.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Where session work runs: on the request's own Jetty thread. A resource that touches the session
 * returns the CompletionStage made here, completed (or failed) by the time it is returned.
 *
 * <p>It used to run on a pool of its own, so that requests waiting on the cluster's replication
 * held the pool's threads rather than Jetty's. The request budget ({@code OverloadHandler}, Jetty's
 * QoSHandler) already bounds that: at most {@code --max-requests} requests are worked on at once,
 * each holding its slot to the end of its response on either thread, and the health checks are
 * exempt and never wait for a slot. So the pool bounded nothing the budget does not, and the
 * hand-off cost each session request a sleep and a wake-up: 13-15 % of a session read's CPU on one
 * core (bench/side/sessions.md, 2026-12-02). The issue asked for this measurement (issue 16).
 */
public final class SessionWork {
    /**
     * Runs the work now. A failure completes the stage with the exception itself (not wrapped), so
     * the API's exception mappers see an ApiException as an ApiException.
     */
    public <T> CompletionStage<T> supply(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            result.complete(work.get());
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}
