package dev.tandem.api.errors;

import java.io.EOFException;

/**
 * Whether a failure only means the client went away. Jetty reports every write to a closed or reset
 * connection (and a request body cut short) as its {@code EofException}, a {@link EOFException}: a
 * JDK type, so this works in the WAR too, where Jetty's own classes are hidden from the webapp.
 */
public final class ClientDisconnects {
    private ClientDisconnects() {}

    public static boolean causedBy(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EOFException) {
                return true;
            }
        }
        return false;
    }
}
