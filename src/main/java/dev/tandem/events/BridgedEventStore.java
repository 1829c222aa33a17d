package dev.tandem.events;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A WAR node's event store: the server's cache as the JDK functions {@link WarEventCache} made
 * (the webapp cannot see Infinispan's classes; see that class for what each key holds).
 */
public final class BridgedEventStore implements EventStore {
    private final Function<String[], String> putIfAbsent;
    private final Function<String[], CompletionStage<Void>> complete;
    private final Function<Collection<String>, CompletionStage<Void>> removeAll;
    private final Function<String, String> localGet;
    private final Consumer<BiConsumer<String, String>> forEachLocal;
    private final BiConsumer<BiConsumer<String, String>, Consumer<String>> listen;
    private final Consumer<Runnable> onTopologyChange;
    private final Runnable awaitInitialState;

    @SuppressWarnings("unchecked")
    public BridgedEventStore(Object attribute) {
        if (!(attribute instanceof Map<?, ?> m)) {
            throw new IllegalStateException("context attribute " + WarEventCache.ATTRIBUTE
                    + " is missing: deploy through the jetty-base's webapps/ROOT.xml (bin/tandem-jetty-base)");
        }
        this.putIfAbsent = (Function<String[], String>) required(m, "putIfAbsent");
        this.complete = (Function<String[], CompletionStage<Void>>) required(m, "complete");
        this.removeAll = (Function<Collection<String>, CompletionStage<Void>>) required(m, "removeAll");
        this.localGet = (Function<String, String>) required(m, "localGet");
        this.forEachLocal = (Consumer<BiConsumer<String, String>>) required(m, "forEachLocal");
        this.listen = (BiConsumer<BiConsumer<String, String>, Consumer<String>>) required(m, "listen");
        this.onTopologyChange = (Consumer<Runnable>) required(m, "onTopologyChange");
        this.awaitInitialState = (Runnable) required(m, "awaitInitialState");
    }

    /** A jetty-base older than the webapp lacks what the webapp needs: say so at start, not at the first use. */
    private static Object required(Map<?, ?> bridge, String name) {
        Object f = bridge.get(name);
        if (f == null) {
            throw new IllegalStateException("context attribute " + WarEventCache.ATTRIBUTE + " has no '" + name
                    + "': the jetty-base's tandem-sessions jar is older than this WAR; run bin/tandem-jetty-base again");
        }
        return f;
    }

    @Override
    public String putIfAbsent(String key, String value, Duration lifespan) {
        return putIfAbsent.apply(new String[] {key, value, Long.toString(lifespan.toMillis())});
    }

    @Override
    public CompletionStage<Void> complete(String key, String value, Duration lifespan) {
        return complete.apply(new String[] {key, value, Long.toString(lifespan.toMillis())});
    }

    @Override
    public CompletionStage<Void> removeAll(Collection<String> keys) {
        return removeAll.apply(keys);
    }

    @Override
    public String localGet(String key) {
        return localGet.apply(key);
    }

    @Override
    public void forEachLocal(BiConsumer<String, String> action) {
        forEachLocal.accept(action);
    }

    @Override
    public void listen(BiConsumer<String, String> created, Consumer<String> removed) {
        listen.accept(created, removed);
    }

    @Override
    public void onTopologyChange(Runnable action) {
        onTopologyChange.accept(action);
    }

    @Override
    public void awaitInitialState() {
        awaitInitialState.run();
    }
}
