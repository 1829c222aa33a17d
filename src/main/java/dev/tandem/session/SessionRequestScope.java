package dev.tandem.session;

import java.util.List;

/**
 * What the session cache needs to know about the request whose session Jetty is resolving (on the
 * request's own thread): how to hold the session's lock, and where to report that the session
 * exists but cannot be had right now, which Jetty itself would turn into "no session".
 */
final class SessionRequestScope {
    /** How a request holds the session it names. */
    enum Hold {
        /** A path that only reads (long polls, streams): no lock, never writes. */
        NONE,
        /** GET or HEAD: the lock shared with this node's other reads of the session ({@link ReadGroup}). */
        SHARED,
        /** Anything else: the lock alone. */
        ALONE
    }

    /** Requests on these path prefixes read the session without its lock and never write it. */
    private final List<String> readOnlyPrefixes;
    private final ThreadLocal<State> current = new ThreadLocal<>();

    private static final class State {
        final Hold hold;
        SessionUnavailableException failure;

        State(Hold hold) {
            this.hold = hold;
        }
    }

    SessionRequestScope(List<String> readOnlyPrefixes) {
        this.readOnlyPrefixes = List.copyOf(readOnlyPrefixes);
    }

    /** Runs Jetty's session resolution for a request with this method to this path; returns the failure, if any. */
    SessionUnavailableException resolve(String method, String path, Runnable resolution) {
        State state = new State(holdFor(method, path));
        current.set(state);
        try {
            resolution.run();
            return state.failure;
        } finally {
            current.remove();
        }
    }

    private Hold holdFor(String method, String path) {
        for (String prefix : readOnlyPrefixes) { // a loop, not a stream: every request of the node comes here
            if (path.startsWith(prefix)) {
                return Hold.NONE;
            }
        }
        return "GET".equals(method) || "HEAD".equals(method) ? Hold.SHARED : Hold.ALONE;
    }

    /** How the request being resolved holds its session (alone outside a resolution: Jetty's own calls). */
    Hold hold() {
        State s = current.get();
        return s == null ? Hold.ALONE : s.hold;
    }

    void unavailable(SessionUnavailableException e) {
        State s = current.get();
        if (s != null && s.failure == null) {
            s.failure = e;
        }
    }
}
