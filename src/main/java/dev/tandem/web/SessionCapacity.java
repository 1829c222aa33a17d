package dev.tandem.web;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Whether this node may create one more session: the sessions it holds (its session cache; with a
 * replicated cache every session of the cluster) against the configured cap. Counting the cache
 * visits every entry, so the count is taken at most once a second, by whichever request finds it
 * due (no lock), and the sessions created here since are added; a race can only count a session
 * twice, never miss one, so the cap errs on the side of refusing. Sessions created on other nodes
 * show up within a second.
 */
public final class SessionCapacity {
    /** How long a refused client should wait: sessions end by logout, or by expiry a minute after the idle timeout. */
    public static final String RETRY_AFTER_SECONDS = "60";
    private static final long REFRESH_NANOS = Duration.ofSeconds(1).toNanos();

    private final IntSupplier held;
    private final int max;
    private final AtomicLong nextCount = new AtomicLong(System.nanoTime());
    private final AtomicInteger createdSinceCount = new AtomicInteger();
    private volatile int counted;

    /**
     * @param held sessions this node holds now (dev.tandem.session.SessionLayer#localSessionCount)
     * @param max  at this many, new sessions are refused
     */
    public SessionCapacity(IntSupplier held, int max) {
        this.held = held;
        this.max = max;
    }

    public int max() {
        return max;
    }

    /** True when creating another session would exceed the cap. */
    public boolean full() {
        long now = System.nanoTime();
        long due = nextCount.get();
        if (now - due >= 0 && nextCount.compareAndSet(due, now + REFRESH_NANOS)) {
            createdSinceCount.set(0); // before counting: a session created in between is counted twice, not never
            counted = held.getAsInt();
        }
        return counted + createdSinceCount.get() >= max;
    }

    /** A session was just created here. */
    public void created() {
        createdSinceCount.incrementAndGet();
    }
}
