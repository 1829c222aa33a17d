package dev.tandem.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** A test thread that must stand still for a while (a stand-in for a frozen or slow node), not wait for a condition. */
public final class Pause {
    private Pause() {}

    /**
     * Stops this thread for the whole of {@code length}: one {@code parkNanos} may return at once, on
     * a permit an earlier test left on the thread (CI once saw a 400 ms pause take 5 ms).
     */
    public static void fully(Duration length) {
        long end = System.nanoTime() + length.toNanos();
        for (long left = length.toNanos(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
