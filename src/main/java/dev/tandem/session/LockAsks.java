package dev.tandem.session;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;
import org.infinispan.notifications.cachelistener.filter.CacheEventFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node waiting for a session's lock that another node holds says so with a marker entry in the
 * lock cache, written again whenever its replica has none: a holder keeping the lock for its own
 * next request ({@link SessionLockQueue}) gives it back at once instead of at the end of its pass-on
 * window, and a holder whose window ends lets the asker take it before its own next request does.
 *
 * <p>Markers are written without waiting for them: a lost one costs only time (the waiter writes it
 * again on its next look, within 50 ms). Each lasts one wait budget, so a session that two nodes
 * take turns on is kept by neither meanwhile.
 */
final class LockAsks {
    private static final Logger LOG = LoggerFactory.getLogger(LockAsks.class);
    /** The key prefix of the markers: a session id never has a colon ({@code SessionIdGuardFilter}). */
    private static final String WANTED = "wanted:";

    private final Cache<String, String> locks;
    private final AdvancedCache<String, String> local;
    private final Duration lifespan;

    /** @param local the lock cache's replica on this member, read without a remote call */
    LockAsks(Cache<String, String> locks, AdvancedCache<String, String> local, Duration lifespan) {
        this.locks = locks;
        this.local = local;
        this.lifespan = lifespan;
    }

    /** Asks for the session's lock on behalf of the request holding {@code token}. */
    void ask(String key, String token) {
        try {
            locks.putIfAbsentAsync(WANTED + key, token, lifespan.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((v, failure) -> {
                        if (failure != null) {
                            LOG.debug("could not ask for the lock of a session: {}", failure.toString());
                        }
                    });
        } catch (RuntimeException e) {
            LOG.debug("could not ask for the lock of a session: {}", e.toString());
        }
    }

    /**
     * Whether another node asked for this session's lock within the last wait budget (this member's
     * replica). When the replica cannot tell, as if asked: the lock goes back and the next request
     * here holds off, which is never unsafe. (Reading an expired marker removes it across the
     * cluster, which a minority partition refuses: PartitionIT once left a turn taken for good.)
     */
    boolean wanted(String key) {
        try {
            return local.containsKey(WANTED + key);
        } catch (RuntimeException e) {
            LOG.debug("could not tell whether a session's lock was asked for: {}", e.toString());
            return true;
        }
    }

    /** Calls {@code action} with the session's key whenever a node asks for its lock (on Infinispan's notification thread: hand off). */
    void whenAsked(Consumer<String> action) {
        CacheEventFilter<String, String> markers = (key, oldValue, oldMeta, newValue, newMeta, type) -> key.startsWith(WANTED);
        locks.addListener(new Asked(action), markers, null);
    }

    /** Markers written on any member, as this member applies them. */
    @Listener(sync = false, observation = Listener.Observation.POST)
    public static final class Asked {
        private final Consumer<String> action;

        Asked(Consumer<String> action) {
            this.action = action;
        }

        @CacheEntryCreated
        public void asked(CacheEntryCreatedEvent<String, String> e) {
            action.accept(e.getKey().substring(WANTED.length()));
        }
    }
}
