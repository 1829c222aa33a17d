package dev.tandem.session;

import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Server;
import org.infinispan.Cache;

/**
 * For a WAR node's jetty-base (webapps/ROOT.xml, server side): one of the server's session layer's
 * caches, wrapped for a bridge the webapp reads (the event log's, the status board's). Runs in the
 * server's class loader, never in the webapp's.
 */
public final class WarCaches {
    private WarCaches() {}

    /**
     * The named cache, wrapped, resolved at first use: the layer has started by then (the webapp's
     * session handler starts it), and not before.
     */
    public static <T> Supplier<T> lazily(Server server, String cacheName, Function<Cache<String, String>, T> wrap) {
        SessionLayer layer = server.getBean(SessionLayer.class);
        if (layer == null) {
            throw new IllegalStateException("no SessionLayer bean on the server: is the jetty-base's tandem module enabled?");
        }
        Object lock = new Object();
        @SuppressWarnings("unchecked")
        T[] wrapped = (T[]) new Object[1];
        return () -> {
            synchronized (lock) {
                if (wrapped[0] == null) {
                    wrapped[0] = wrap.apply(layer.sessions().getCacheManager().<String, String>getCache(cacheName));
                }
                return wrapped[0];
            }
        };
    }
}
