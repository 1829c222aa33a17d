package dev.tandem.web;

import dev.tandem.session.SessionLayer;
import java.util.function.IntSupplier;
import org.eclipse.jetty.server.Server;

/**
 * For a WAR node's jetty-base (webapps/ROOT.xml): the sessions the server's session layer holds,
 * as a JDK type the webapp can see (Jetty hides its own and Infinispan's classes from webapps),
 * so the webapp's session cap counts what the jar's does.
 */
public final class WarSessionCount {
    /** The context attribute the webapp reads it from (dev.tandem.war.TandemWebListener). */
    public static final String ATTRIBUTE = "dev.tandem.session.count";

    private WarSessionCount() {}

    public static IntSupplier of(Server server) {
        SessionLayer layer = server.getBean(SessionLayer.class);
        if (layer == null) {
            throw new IllegalStateException("no SessionLayer bean on the server: is the jetty-base's tandem module enabled?");
        }
        return layer::localSessionCount;
    }
}
