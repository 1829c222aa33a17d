package dev.tandem.lifecycle;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Tells when the JIT is done with what a load has been running: its compilers have been quiet for
 * a few whole seconds in a row ({@link CompilationMXBean}). Notes, per second, the load's requests
 * and the JIT's compile time (the warm-up log line's curve).
 */
final class JitWatch {
    /**
     * The JIT counts as done once it has compiled for less than this in each of {@link #QUIET_SECONDS}
     * seconds in a row (5 % of a second): its queue is empty, so the load's paths are compiled.
     */
    static final long QUIET_MS_PER_SECOND = 50;
    /** Three seconds: one C2 compilation of a large method can take a second or more before it is counted. */
    static final int QUIET_SECONDS = 3;

    private final StringBuilder curve = new StringBuilder();

    /**
     * Ticks every second until the JIT is done or the deadline (System.nanoTime) passes. True when
     * the JIT was done; without a JIT to watch, waits out the deadline and answers false.
     */
    boolean awaitQuiet(long deadline, LongSupplier requests) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            Thread.sleep(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
            return false;
        }
        long lastRequests = requests.getAsLong();
        long lastJit = jit.getTotalCompilationTime();
        int quiet = 0;
        while (quiet < QUIET_SECONDS && System.nanoTime() < deadline) {
            long tickMs = Math.min(1000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            Thread.sleep(tickMs);
            long r = requests.getAsLong();
            long j = jit.getTotalCompilationTime();
            curve.append(' ').append(r - lastRequests).append('/').append(j - lastJit);
            // Only whole seconds count: the short last tick before the deadline says nothing.
            quiet = tickMs == 1000 ? quietRun(quiet, j - lastJit) : 0;
            lastRequests = r;
            lastJit = j;
        }
        return quiet >= QUIET_SECONDS;
    }

    /** Per second so far: requests/ms compiling, space-separated. */
    String curve() {
        return curve.toString();
    }

    /** The JIT's quiet seconds in a row, after one more second in which it compiled for {@code compiledMs}. */
    static int quietRun(int run, long compiledMs) {
        return compiledMs < QUIET_MS_PER_SECOND ? run + 1 : 0;
    }
}
