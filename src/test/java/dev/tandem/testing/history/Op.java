package dev.tandem.testing.history;

/**
 * One client operation on a session, as a Jepsen history records it: invoked, then ok (with what
 * it saw), failed (definitely not applied) or unknown (cut off: may or may not have been applied).
 */
public record Op(int client, String session, Kind kind, String arg, long invokedNanos, long completedNanos,
                 Outcome outcome, long value, String node, boolean replaced, String detail) {

    /** LOGIN gives the session a new id: its client goes on under the id the answer's cookie names. */
    public enum Kind { INCREMENT, READ, PUT_ATTRIBUTE, LOGIN }

    public enum Outcome { OK, FAILED, UNKNOWN }

    public boolean ok() {
        return outcome == Outcome.OK;
    }
}
