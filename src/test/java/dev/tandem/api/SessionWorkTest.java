package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tandem.api.errors.ApiException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Session work runs on the caller's thread, and its stage completes as the work did: its value or its very exception. */
class SessionWorkTest {
    private final SessionWork work = new SessionWork();

    @Test
    void theWorkRunsOnTheCallersThreadAndTheStageIsCompleteWhenReturned() {
        Thread caller = Thread.currentThread();
        CompletableFuture<Thread> ran = work.supply(Thread::currentThread).toCompletableFuture();

        assertThat(ran).isCompletedWithValue(caller);
    }

    @Test
    void aFailureInTheWorkCompletesTheStageWithTheExceptionItself() {
        CompletableFuture<Object> failed = work.supply(() -> {
            throw ApiException.notFound("no such item");
        }).toCompletableFuture();

        assertThat(failed).isCompletedExceptionally();
        ExecutionException e = catchThrowableOfType(ExecutionException.class, failed::get);
        assertThat(e.getCause()).isInstanceOf(ApiException.class).hasMessage("no such item");
    }
}
