package dev.tandem.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A WAR node's status board: the server's cache as the JDK functions {@link WarStatusBoard} made
 * (the webapp cannot see Infinispan's classes; see that class for what each key holds).
 */
final class BridgedBoardStore implements BoardStore {
    private final Consumer<String[]> put;
    private final Function<String, String> get;
    private final Consumer<BiConsumer<String, String>> forEachLocal;
    private final Function<Consumer<Object[]>, Runnable> onViewChange;

    @SuppressWarnings("unchecked")
    BridgedBoardStore(Object attribute) {
        if (!(attribute instanceof Map<?, ?> m)) {
            throw new IllegalStateException("context attribute " + WarStatusBoard.ATTRIBUTE
                    + " is missing: deploy through the jetty-base's webapps/ROOT.xml (bin/tandem-jetty-base)");
        }
        this.put = (Consumer<String[]>) m.get("put");
        this.get = (Function<String, String>) m.get("get");
        this.forEachLocal = (Consumer<BiConsumer<String, String>>) m.get("forEachLocal");
        this.onViewChange = (Function<Consumer<Object[]>, Runnable>) m.get("onViewChange");
    }

    @Override
    public void put(String key, String value, Duration lifespan, boolean synchronous) {
        put.accept(new String[] {key, value, Long.toString(lifespan.toMillis()), Boolean.toString(synchronous)});
    }

    @Override
    public String get(String key) {
        return get.apply(key);
    }

    @Override
    public void forEachLocal(BiConsumer<String, String> action) {
        forEachLocal.accept(action);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Runnable onViewChange(Consumer<ViewChange> listener) {
        return onViewChange.apply(c -> listener.accept(new ViewChange((Integer) c[0], (List<String>) c[1],
                (List<String>) c[2], (Integer) c[3])));
    }
}
