package dev.tandem.session;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** A bounded wait on a check that says why not (empty once it holds): the view gate's and the leave's. */
final class Polling {
    private Polling() {}

    /** Asks {@code refusal} every {@code every} until it is empty or {@code max} has passed; returns its last answer. */
    static Optional<String> untilEmpty(Supplier<Optional<String>> refusal, Duration max, Duration every) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            Optional<String> answer = refusal.get();
            if (answer.isEmpty() || System.nanoTime() >= deadline) {
                return answer;
            }
            LockSupport.parkNanos(every.toNanos());
        }
    }
}
