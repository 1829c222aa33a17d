package dev.tandem.overload;

import java.util.Map;
import java.util.function.LongSupplier;
import org.eclipse.jetty.server.Server;

/**
 * For a WAR node's jetty-base (webapps/ROOT.xml, server side): the refusal counts of the request
 * budget module tandem-overload installed, as JDK types the webapp can see, so its /metrics and the
 * lab dashboard count what the jar's do. Keys are the reasons ({@value Refusals#QUEUE_FULL},
 * {@value Refusals#QUEUE_TIMEOUT}), values {@code LongSupplier}s.
 */
public final class WarRefusals {
    /** The context attribute the webapp reads it from (dev.tandem.war.TandemWebListener). */
    public static final String ATTRIBUTE = "dev.tandem.overload.refusals";

    private WarRefusals() {}

    public static Map<String, LongSupplier> of(Server server) {
        OverloadHandler handler = server.getDescendant(OverloadHandler.class);
        if (handler == null) {
            throw new IllegalStateException("no OverloadHandler on the server: is the jetty-base's tandem-overload module enabled?");
        }
        Refusals r = handler.refusals();
        return Map.of(Refusals.QUEUE_FULL, r.queueFullSource(), Refusals.QUEUE_TIMEOUT, r.queueTimeoutSource());
    }
}
