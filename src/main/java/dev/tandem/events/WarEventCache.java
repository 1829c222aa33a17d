package dev.tandem.events;

import dev.tandem.cluster.SharedCaches;
import dev.tandem.session.WarCaches;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
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
        return of(WarCaches.lazily(server, SharedCaches.EVENTS, InfinispanEventStore::new));
    }

    static Map<String, Object> of(Supplier<InfinispanEventStore> s) {
        Function<String[], String> putIfAbsent =
                a -> s.get().putIfAbsent(a[0], a[1], Duration.ofMillis(Long.parseLong(a[2])));
        Function<String[], CompletionStage<Void>> complete =
                a -> s.get().complete(a[0], a[1], Duration.ofMillis(Long.parseLong(a[2])));
        Function<Collection<String>, CompletionStage<Void>> removeAll = k -> s.get().removeAll(k);
        UnaryOperator<String> localGet = k -> s.get().localGet(k);
        Consumer<BiConsumer<String, String>> forEachLocal = a -> s.get().forEachLocal(a);
        BiConsumer<BiConsumer<String, String>, Consumer<String>> listen = (c, r) -> s.get().listen(c, r);
        Consumer<Runnable> onTopologyChange = a -> s.get().onTopologyChange(a);
        Runnable awaitInitialState = () -> s.get().awaitInitialState();
        return Map.of("putIfAbsent", putIfAbsent, "complete", complete, "removeAll", removeAll, "localGet", localGet,
                "forEachLocal", forEachLocal, "listen", listen, "onTopologyChange", onTopologyChange,
                "awaitInitialState", awaitInitialState);
    }
}
