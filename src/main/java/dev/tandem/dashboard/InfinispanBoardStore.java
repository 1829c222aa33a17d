package dev.tandem.dashboard;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.infinispan.Cache;
import org.infinispan.commons.util.CloseableIterator;
import org.infinispan.context.Flag;

/** The status board's cache itself (the fat jar; on a WAR node, the server side of {@link WarStatusBoard}). */
public final class InfinispanBoardStore implements BoardStore {
    private final Cache<String, String> cache;

    public InfinispanBoardStore(Cache<String, String> cache) {
        this.cache = cache;
    }

    @Override
    public void put(String key, String value, Duration lifespan, boolean synchronous) {
        Flag[] flags = synchronous
                ? new Flag[] {Flag.FORCE_SYNCHRONOUS, Flag.IGNORE_RETURN_VALUES}
                : new Flag[] {Flag.IGNORE_RETURN_VALUES};
        cache.getAdvancedCache().withFlags(flags).put(key, value, lifespan.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String get(String key) {
        return cache.get(key);
    }

    @Override
    public void forEachLocal(BiConsumer<String, String> action) {
        if (!cache.getStatus().allowInvocations()) {
            return;
        }
        // Replicated: this node's own copy holds every entry, no remote call needed.
        try (CloseableIterator<Map.Entry<String, String>> it =
                     cache.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).entrySet().iterator()) {
            while (it.hasNext()) {
                Map.Entry<String, String> e = it.next();
                action.accept(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public Runnable onViewChange(Consumer<ViewChange> listener) {
        ViewEvents events = new ViewEvents(listener);
        cache.getCacheManager().addListener(events);
        return () -> cache.getCacheManager().removeListener(events);
    }
}
