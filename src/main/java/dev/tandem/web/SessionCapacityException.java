package dev.tandem.web;

/** Thrown where a request asks for a new session and the node is at its session cap (SessionCapacityFilter). */
public final class SessionCapacityException extends RuntimeException {
    public SessionCapacityException(int max) {
        super("this node holds as many sessions as it may (" + max + "); no new session until some end, retry later",
                null, false, false);
    }
}
