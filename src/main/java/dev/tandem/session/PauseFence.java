package dev.tandem.session;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when this process was paused (SIGSTOP, a VM freeze, a very long GC) and keeps it from
 * serving sessions from a copy that may be stale until it knows where it stands.
 *
 * <p>A node paused for longer than the cluster's failure detection may have been dropped from
 * the view while it slept: its locks were broken and others wrote since, but on waking it still
 * believes in the old view and its local copy of every session. So after a pause that long it
 * refuses session work until its view has changed (it was dropped, and the merge brings it back
 * with the majority's data) or, without a view change, until the failure detector had time to
 * drop it. Shorter pauses leave the view intact and need nothing.
 *
 * <p>It also bounds how long a request may hold a session lock before writing: a write after
 * {@link #maxHold()} is refused, because by then the lock may have been broken.
 */
public final class PauseFence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PauseFence.class);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long suspectPauseNanos;
    private final long settleNanos;
    private final Duration maxHold;
    private final Thread ticker;
    private volatile long lastTick = System.nanoTime();
    private volatile long views;
    /** When a suspect pause was noticed (System.nanoTime), -1 when none is pending; written under the monitor. */
    private volatile long pendingSince = -1;
    private long viewsAtPause;
    private volatile boolean running = true;

    /**
     * @param suspectPause a pause this long may have cost the node its place in the view (the
     *                     failure detector's timeout, less a margin)
     * @param settle       how long after such a pause the node waits for a view change before it
     *                     trusts the view it has
     * @param maxHold      how long a request may hold a session lock and still write
     */
    public PauseFence(Duration suspectPause, Duration settle, Duration maxHold) {
        this.suspectPauseNanos = suspectPause.toNanos();
        this.settleNanos = settle.toNanos();
        this.maxHold = maxHold;
        this.ticker = new Thread(this::tick, "tandem-pause-fence");
        ticker.setDaemon(true);
    }

    /** Starts watching; time before this (a slow cluster join, say) is not a pause. */
    public void start() {
        lastTick = System.nanoTime();
        ticker.start();
    }

    /** Called on every cluster view change. */
    public void viewChanged() {
        views++;
    }

    /**
     * Empty when sessions may be served; otherwise why not. Every session request asks, so the
     * common answer (no pause pending, the ticker on time) takes no lock: with 64 requests on one
     * session the monitor was contended (bench/profile). Read in this order: the ticker writes
     * pendingSince before lastTick, so a fresh lastTick read here brings any pause it noted; a
     * stale one is an overdue tick and takes the checked path.
     */
    public Optional<String> refusal() {
        long now = System.nanoTime();
        if (now - lastTick < suspectPauseNanos && pendingSince < 0) {
            return Optional.empty();
        }
        return checkedRefusal(now);
    }

    private synchronized Optional<String> checkedRefusal(long now) {
        notePause(now, now - lastTick);
        if (pendingSince < 0) {
            return Optional.empty();
        }
        if (views != viewsAtPause || now - pendingSince > settleNanos) {
            LOG.info("trusting the cluster view again after the pause ({})", views != viewsAtPause ? "the view changed" : "no view change came");
            pendingSince = -1;
            return Optional.empty();
        }
        return Optional.of("this node was paused and is confirming its place in the cluster");
    }

    public Duration maxHold() {
        return maxHold;
    }

    private synchronized void notePause(long now, long gap) {
        if (gap >= suspectPauseNanos && pendingSince < 0) {
            LOG.warn("this process was paused for {} ms: refusing session work until its cluster view is confirmed", gap / 1_000_000);
            pendingSince = now;
            viewsAtPause = views;
        }
    }

    private void tick() {
        while (running) {
            long now = System.nanoTime();
            notePause(now, now - lastTick);
            lastTick = now;
            LockSupport.parkNanos(TICK_NANOS);
        }
    }

    @Override
    public void close() {
        running = false;
        ticker.interrupt();
    }
}
