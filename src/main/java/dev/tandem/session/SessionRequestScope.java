package dev.tandem.session;

import java.util.List;

/**
 * What the session cache needs to know about the request whose session Jetty is resolving (on the
 * request's own thread): whether to take the session's lock, and where to report that the session
 * exists but cannot be had right now, which Jetty itself would turn into "no session".
 */
final class SessionRequestScope {
    /** Requests on these path prefixes read the session without its lock and never write it. */
    private final List<String> readOnlyPrefixes;
    private final ThreadLocal<State> current = new ThreadLocal<>();

    private static final class State {
        final boolean locking;
        SessionUnavailableException failure;

        State(boolean locking) {
            this.locking = locking;
        }
    }

    SessionRequestScope(List<String> readOnlyPrefixes) {
        this.readOnlyPrefixes = List.copyOf(readOnlyPrefixes);
    }

    /** Runs Jetty's session resolution for a request to this path; returns the failure, if any. */
    SessionUnavailableException resolve(String path, Runnable resolution) {
        State state = new State(readOnlyPrefixes.stream().noneMatch(path::startsWith));
        current.set(state);
        try {
            resolution.run();
            return state.failure;
        } finally {
            current.remove();
        }
    }

    boolean locking() {
        State s = current.get();
        return s == null || s.locking;
    }

    void unavailable(SessionUnavailableException e) {
        State s = current.get();
        if (s != null && s.failure == null) {
            s.failure = e;
        }
    }
}
