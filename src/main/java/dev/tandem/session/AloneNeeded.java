package dev.tandem.session;

/**
 * A request reading a session beside others ({@link ReadGroup}) would write it: the session
 * cache takes it again alone and loads it afresh; anywhere else the client hears 503, and nothing
 * of the write is stored.
 */
final class AloneNeeded extends SessionUnavailableException {
    AloneNeeded(String message) {
        super(message);
    }
}
