package dev.tandem.lifecycle;

import java.util.concurrent.atomic.AtomicReference;

/** Where the node is in its life; readiness is SERVING plus a healthy cluster. */
public final class Readiness {
    public enum State { STARTING, SERVING, DRAINING, STOPPED }

    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);

    public State state() {
        return state.get();
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
