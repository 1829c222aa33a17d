package dev.tandem.testing;

import java.util.function.Predicate;
import java.util.function.Supplier;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryVisited;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryVisitedEvent;

/**
 * Failures of a real cache, made by listeners: Infinispan fails the operation whose synchronous
 * listener throws: {@link #during}.
 */
public final class CacheFaults {
    private CacheFaults() {}

    /** What {@code action} gives while {@code fault} is a listener of {@code cache} (removed again whatever happens). */
    public static <T> T during(Cache<?, ?> cache, Object fault, Supplier<T> action) {
        cache.addListener(fault);
        try {
            return action.get();
        } finally {
            cache.removeListener(fault);
        }
    }

    /** Refuses, before they are written, the new entries {@code refused} names. */
    @Listener(sync = true, observation = Listener.Observation.PRE)
    public static final class RefuseCreating {
        private final Predicate<Object> refused;

        public RefuseCreating(Predicate<Object> refused) {
            this.refused = refused;
        }

        @CacheEntryCreated
        public void created(CacheEntryCreatedEvent<Object, Object> e) {
            if (refused.test(e.getKey())) {
                throw new IllegalStateException("refused by the test: " + e.getKey());
            }
        }
    }

    /** Refuses, before it is applied, every removal of an entry. */
    @Listener(sync = true, observation = Listener.Observation.PRE)
    public static final class RefuseRemoving {
        @CacheEntryRemoved
        public void removed(CacheEntryRemovedEvent<Object, Object> e) {
            throw new IllegalStateException("refused by the test: removing " + e.getKey());
        }
    }

    /** Fails every read of the entry under {@code key} (a write does not read it this way). */
    @Listener(sync = true, observation = Listener.Observation.PRE)
    public static final class FailReads {
        private final Object key;

        public FailReads(Object key) {
            this.key = key;
        }

        @CacheEntryVisited
        public void read(CacheEntryVisitedEvent<Object, Object> e) {
            if (key.equals(e.getKey())) {
                throw new IllegalStateException("refused by the test: reading " + e.getKey());
            }
        }
    }
}
