package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.api.errors.ApiException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The session-work pool: its work completes as itself, and a full pool refuses with 503 instead of queueing forever. */
class SessionWorkTest {
    @Test
    void whenThePoolAndItsQueueAreFullTheNextWorkFailsWith503Unavailable() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (SessionWork work = new SessionWork(1, 1, new SimpleMeterRegistry())) {
            CompletableFuture<String> running = work.supply(() -> {
                await(release);
                return "ran";
            }).toCompletableFuture();
            CompletableFuture<String> queued = work.supply(() -> "queued").toCompletableFuture();

            CompletableFuture<String> refused = work.supply(() -> "never").toCompletableFuture();

            assertThat(refused).isCompletedExceptionally();
            Throwable cause = catchCause(refused);
            assertThat(cause).isInstanceOf(ApiException.class);
            ApiException api = (ApiException) cause;
            assertThat(api.status()).isEqualTo(503);
            assertThat(api.error()).isEqualTo("unavailable");
            assertThat(api.getMessage()).contains("retry");

            release.countDown();
            assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(queued.get(10, TimeUnit.SECONDS)).as("the queued work still runs").isEqualTo("queued");
        } finally {
            release.countDown();
        }
    }

    @Test
    void aFailureInTheWorkCompletesTheStageWithTheExceptionItself() {
        try (SessionWork work = new SessionWork(1, 1, new SimpleMeterRegistry())) {
            CompletableFuture<Object> failed = work.supply(() -> {
                throw ApiException.notFound("no such item");
            }).toCompletableFuture();

            assertThat(catchCause(failed)).isInstanceOf(ApiException.class).hasMessage("no such item");
        }
    }

    private static Throwable catchCause(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the stage to fail");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
