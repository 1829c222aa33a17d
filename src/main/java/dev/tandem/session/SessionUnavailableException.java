package dev.tandem.session;

/**
 * This node cannot read or write a session right now (its cluster is degraded, the owners are
 * unreachable, the session's lock is busy past its budget, or the node may have been paused): the
 * client is told so (503) and nothing is written. Never a reason to hand out a fresh session.
 */
public class SessionUnavailableException extends RuntimeException {
    public SessionUnavailableException(String reason) {
        super(reason);
    }

    public SessionUnavailableException(String reason, Throwable cause) {
        super(reason + ": " + cause, cause);
    }
}
