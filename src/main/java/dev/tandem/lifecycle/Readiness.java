package dev.tandem.lifecycle;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Where the node is in its life; readiness is SERVING plus a healthy cluster. */
public final class Readiness {
    public enum State { STARTING, SERVING, DRAINING, STOPPED }

    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    /** Why a node that answers is still starting, when it says; fixed while it lasts (the dashboard logs each new one). */
    private volatile String startingReason;

    public State state() {
        return state.get();
    }

    /** Why the node is not ready yet, while it is starting (replaces what it said before). */
    public void stillStarting(String why) {
        startingReason = why;
    }

    /** Why the node is not ready yet while it is starting, if it said. */
    public Optional<String> startingReason() {
        return state.get() == State.STARTING ? Optional.ofNullable(startingReason) : Optional.empty();
    }

    public void serving() {
        state.compareAndSet(State.STARTING, State.SERVING);
    }

    /** @return true for the caller that moved the node into draining. */
    public boolean draining() {
        return state.compareAndSet(State.SERVING, State.DRAINING)
                || state.compareAndSet(State.STARTING, State.DRAINING);
    }

    public void stopped() {
        state.set(State.STOPPED);
    }
}
