package dev.tandem.lifecycle;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The warm-up pass's session rounds ({@link Warmup}): their pace, the one session every client reads,
 * and what a round sends. Thread-safe; each round goes on its client's own connection.
 */
final class SessionRounds {
    private final WarmupRequests requests;
    /** Nanoseconds between two rounds, all clients together; 0: as fast as the clients go. */
    private final long everyNanos;
    private final AtomicLong next = new AtomicLong(System.nanoTime());
    private final AtomicLong count = new AtomicLong();
    private final BooleanSupplier stopped;
    /** The cookie of the session every client reads, made by the first round: null until then (and after a failed try). */
    private String sharedCookie;

    /** @param stopped whether the pass has stopped: no round sends anything after that but its sessions' ends */
    SessionRounds(WarmupRequests requests, long everyNanos, BooleanSupplier stopped) {
        this.requests = requests;
        this.everyNanos = everyNanos;
        this.stopped = stopped;
    }

    /** Whether a client may start a round now (always when unpaced); takes the round if so. */
    boolean due() {
        if (everyNanos == 0) {
            return true;
        }
        long now = System.nanoTime();
        long at = next.get();
        return now - at >= 0 && next.compareAndSet(at, now + everyNanos);
    }

    /** The shared session, made by the first caller (again after a failed try); never once the pass stops. */
    synchronized Optional<String> shared() {
        if (sharedCookie == null && !stopped.getAsBoolean()) {
            sharedCookie = requests.newSession("localhost").orElse(null);
        }
        return Optional.ofNullable(sharedCookie);
    }

    /**
     * Ends the shared session (after any making of it still under way, which holds the lock), on
     * {@code closer}: a connection of its own, as one kept from the start would have passed the node's
     * idle timeout.
     */
    synchronized void endShared(WarmupConnection closer) {
        try (closer) {
            if (sharedCookie != null) {
                requests.endSession(closer, sharedCookie);
                sharedCookie = null;
            }
        }
    }

    /**
     * Reads of the shared session, then writes and a read of the client's own. Nothing more once the
     * pass stops: the shared session is ended then, and a read after that would start a new one; the
     * client's own session is ended next, and the sooner the pass is done.
     */
    void round(WarmupConnection connection, String own, String sharedSession) {
        count.incrementAndGet();
        for (int i = 0; i < 3 && !stopped.getAsBoolean(); i++) {
            // One session read by every client at once, as one user's tabs do: its line and lock under contention.
            requests.send(connection, "GET", "/api/session", sharedSession, null);
        }
        if (!stopped.getAsBoolean()) {
            requests.send(connection, "POST", "/api/session/counter", own, null);
        }
        if (!stopped.getAsBoolean()) {
            requests.send(connection, "PUT", "/api/session/attributes/warmup", own, "1");
        }
        if (!stopped.getAsBoolean()) {
            requests.send(connection, "GET", "/api/cart", own, null);
        }
    }

    /** Rounds started. */
    long count() {
        return count.get();
    }
}
