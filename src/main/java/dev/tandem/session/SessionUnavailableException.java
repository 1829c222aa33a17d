package dev.tandem.session;

/**
 * This node cannot read or write a session right now (its cluster is degraded, the owners are
 * unreachable, the session's lock is busy past its budget, or the node may have been paused): the
 * client is told so (503) and nothing is written. Never a reason to hand out a fresh session.
 */
public class SessionUnavailableException extends RuntimeException {
    private final String reason;

    public SessionUnavailableException(String reason) {
        super(reason);
        this.reason = reason;
    }

    /** The message names the cause too, for the node's log; the client hears {@link #reason()} only. */
    public SessionUnavailableException(String reason, Throwable cause) {
        super(reason + ": " + cause, cause);
        this.reason = reason;
    }

    /** Why, in words a client may read: no exception, class or cache names. */
    public String reason() {
        return reason;
    }
}
