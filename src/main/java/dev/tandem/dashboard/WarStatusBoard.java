package dev.tandem.dashboard;

import dev.tandem.cluster.SharedCaches;
import dev.tandem.session.WarCaches;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.server.Server;

/**
 * For a WAR node's jetty-base (webapps/ROOT.xml, server side): the status board's cache of the
 * server's session layer as JDK types the webapp can see ({@link BridgedBoardStore} reads them).
 * Runs in the server's class loader (module tandem-sessions' jar), never in the webapp's.
 * "put" takes {key, value, lifespan in ms, "true" when synchronous}; a view change is handed on as
 * {viewId, joined names, left names, member count}.
 */
public final class WarStatusBoard {
    /** The context attribute the webapp reads it from (dev.tandem.war.TandemWebListener). */
    public static final String ATTRIBUTE = "dev.tandem.dashboard.board";

    private WarStatusBoard() {}

    public static Map<String, Object> of(Server server) {
        Supplier<InfinispanBoardStore> s = WarCaches.lazily(server, SharedCaches.BOARD, InfinispanBoardStore::new);
        Consumer<String[]> put = a -> s.get().put(a[0], a[1], Duration.ofMillis(Long.parseLong(a[2])),
                Boolean.parseBoolean(a[3]));
        UnaryOperator<String> get = k -> s.get().get(k);
        Consumer<BiConsumer<String, String>> forEachLocal = a -> s.get().forEachLocal(a);
        Function<Consumer<Object[]>, Runnable> onViewChange = c -> s.get().onViewChange(
                v -> c.accept(new Object[] {v.viewId(), v.joined(), v.left(), v.members()}));
        return Map.of("put", put, "get", get, "forEachLocal", forEachLocal, "onViewChange", onViewChange);
    }
}
