package dev.tandem.events;

import dev.tandem.session.SessionLayer;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.server.Server;

/**
 * For a WAR node's jetty-base (webapps/ROOT.xml, server side): the event log's cache of the
 * server's session layer as JDK types the webapp can see ({@link BridgedEventStore} reads them).
 * Runs in the server's class loader (module tandem-sessions' jar), never in the webapp's.
 */
public final class WarEventCache {
    /** The context attribute the webapp reads it from (dev.tandem.war.TandemWebListener). */
    public static final String ATTRIBUTE = "dev.tandem.events.store";

    private WarEventCache() {}

    public static Map<String, Object> of(Server server) {
        SessionLayer layer = server.getBean(SessionLayer.class);
        if (layer == null) {
            throw new IllegalStateException("no SessionLayer bean on the server: is the jetty-base's tandem module enabled?");
        }
        // Resolved at first use: the layer has started by then (the webapp's session handler starts it).
        InfinispanEventStore[] store = new InfinispanEventStore[1];
        java.util.function.Supplier<InfinispanEventStore> s = () -> {
            synchronized (store) {
                if (store[0] == null) {
                    store[0] = new InfinispanEventStore(
                            layer.sessions().getCacheManager().<String, String>getCache(EventLog.CACHE));
                }
                return store[0];
            }
        };
        Function<String[], String> putIfAbsent =
                a -> s.get().putIfAbsent(a[0], a[1], Duration.ofMillis(Long.parseLong(a[2])));
        Consumer<String> remove = k -> s.get().remove(k);
        UnaryOperator<String> localGet = k -> s.get().localGet(k);
        Consumer<BiConsumer<String, String>> forEachLocal = a -> s.get().forEachLocal(a);
        BiConsumer<BiConsumer<String, String>, Consumer<String>> listen = (c, r) -> s.get().listen(c, r);
        Runnable awaitInitialState = () -> s.get().awaitInitialState();
        return Map.of("putIfAbsent", putIfAbsent, "remove", remove, "localGet", localGet,
                "forEachLocal", forEachLocal, "listen", listen, "awaitInitialState", awaitInitialState);
    }
}
