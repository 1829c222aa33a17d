package dev.tandem.events;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.infinispan.factories.ComponentRegistry;
import org.infinispan.functional.FunctionalMap;
import org.infinispan.functional.impl.FunctionalMapImpl;
import org.infinispan.functional.impl.WriteOnlyMapImpl;
import org.infinispan.marshall.core.MarshallableFunctions;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryExpired;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.annotation.TopologyChanged;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.notifications.cachelistener.event.TopologyChangedEvent;
import org.infinispan.statetransfer.StateTransferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The event log's cache itself (the fat jar; on a WAR node, the server side of {@link WarEventCache}). */
public final class InfinispanEventStore implements EventStore {
    private static final Logger LOG = LoggerFactory.getLogger(InfinispanEventStore.class);
    private final Cache<String, String> cache;
    /** Infinispan's functional map: removes many keys in one command per owner instead of one per key. */
    private final FunctionalMap.WriteOnlyMap<String, String> writes;

    public InfinispanEventStore(Cache<String, String> cache) {
        this.cache = cache;
        this.writes = WriteOnlyMapImpl.create(FunctionalMapImpl.create(cache.getAdvancedCache()));
    }

    @Override
    public String putIfAbsent(String key, String value, Duration lifespan) {
        return cache.putIfAbsent(key, value, lifespan.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<Void> complete(String key, String value, Duration lifespan) {
        long ms = lifespan.toMillis();
        // A replace with the same value: the primary owner holds it, so every member is sent it again.
        return cache.putIfAbsentAsync(key, value, ms, TimeUnit.MILLISECONDS).thenCompose(taken -> value.equals(taken)
                ? cache.replaceAsync(key, value, value, ms, TimeUnit.MILLISECONDS).thenApply(replaced -> null)
                : CompletableFuture.completedFuture(null));
    }

    @Override
    public CompletionStage<Void> removeAll(Collection<String> keys) {
        return writes.evalMany(Set.copyOf(keys), MarshallableFunctions.removeConsumer());
    }

    @Override
    public String localGet(String key) {
        return cache.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).get(key);
    }

    @Override
    public void forEachLocal(BiConsumer<String, String> action) {
        for (Map.Entry<String, String> e : cache.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).entrySet()) {
            action.accept(e.getKey(), e.getValue());
        }
    }

    @Override
    public void listen(BiConsumer<String, String> created, Consumer<String> removed) {
        cache.addListener(new Feed(created, removed));
    }

    @Override
    public void onTopologyChange(Runnable action) {
        cache.addListener(new Topology(action));
    }

    @Override
    public void awaitInitialState() {
        ComponentRegistry.componentOf(cache, StateTransferManager.class).waitForInitialStateTransferToComplete();
    }

    /** After each new topology is installed here (the action hands off at once). */
    @Listener
    public static final class Topology {
        private final Runnable action;

        Topology(Runnable action) {
            this.action = action;
        }

        @TopologyChanged
        public void changed(TopologyChangedEvent<String, String> e) {
            if (!e.isPre()) {
                action.run();
            }
        }
    }

    /** Runs on the thread that applied the write on this member: the consumers hand off at once. */
    @Listener(observation = Listener.Observation.POST)
    public static final class Feed {
        private final BiConsumer<String, String> created;
        private final Consumer<String> removed;

        Feed(BiConsumer<String, String> created, Consumer<String> removed) {
            this.created = created;
            this.removed = removed;
        }

        /** A member lacking an entry gets a completed write ({@link #complete}) as a change. */
        @CacheEntryCreated
        @CacheEntryModified
        public void created(CacheEntryEvent<String, String> e) {
            try {
                created.accept(e.getKey(), e.getValue());
            } catch (RuntimeException ex) {
                LOG.warn("unreadable event entry {}: {}", e.getKey(), ex.toString());
            }
        }

        @CacheEntryRemoved
        public void removed(CacheEntryEvent<String, String> e) {
            removed.accept(e.getKey());
        }

        @CacheEntryExpired
        public void expired(CacheEntryEvent<String, String> e) {
            removed.accept(e.getKey());
        }
    }
}
