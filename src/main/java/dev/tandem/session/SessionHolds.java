package dev.tandem.session;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;

/**
 * The sessions this node's requests hold right now, by session id: the lock each holds and the
 * stored value it last read or wrote (what its next write must find in the cache, or be refused).
 * The lock guarantees at most one holder per id in the cluster, so one entry per id is enough.
 */
final class SessionHolds {
    /** A held session: its lock, and the entry as stored when this node last read or wrote it. */
    static final class Held {
        final LockLease lease;
        volatile InfinispanSessionData stored;
        /** The request's own session object: only its release gives the lock back. */
        volatile Object owner;
        /** A write of this request failed: its client hears so, and nothing more of it is written. */
        volatile boolean refused;
        /**
         * A write of this request got no answer in time: the lock goes back only once the session's
         * copies are in step again ({@link ReplicaRepair#settle}), so no request reads either copy before.
         */
        volatile CompletableFuture<Void> unsettled;

        Held(LockLease lease) {
            this.lease = lease;
        }
    }

    private final ConcurrentHashMap<String, Held> byId = new ConcurrentHashMap<>();

    Held get(String id) {
        return byId.get(id);
    }

    void put(String id, Held held) {
        byId.put(id, held);
    }

    Held remove(String id) {
        return byId.remove(id);
    }

    /** Removes the entry only if it is still this one (a renewed id may have taken its place). */
    boolean remove(String id, Held held) {
        return byId.remove(id, held);
    }
}
