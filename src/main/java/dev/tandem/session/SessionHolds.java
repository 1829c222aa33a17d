package dev.tandem.session;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.session.ManagedSession;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;

/**
 * The sessions this node's requests hold right now, by session id: the lock each holds and the
 * stored value it last read or wrote (what its next write must find in the cache, or be refused).
 * The lock guarantees at most one holder per id in the cluster, so one entry per id is enough:
 * a request that writes, or this node's requests that only read, together ({@link ReadGroup}).
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
        /** The request is changing the session's id: the entry under this id is kept until the new one is stored. */
        volatile boolean moving;
        /** The session is stored under its new id: the entry under this id must go, even when its removal got no answer. */
        volatile boolean moved;
        /**
         * Ending the session failed where Jetty only logs it (an invalidation): the request's flush
         * throws this, so its client hears it ({@link ClusterSessionHandler#FLUSH}).
         */
        volatile SessionUnavailableException untold;
        /**
         * A write of this request got no answer in time: the lock goes back only once the session's
         * copies are in step again ({@link ReplicaRepair#settle}), so no request reads either copy before.
         */
        volatile CompletableFuture<Void> unsettled;

        /** Held by requests that only read, together: they write nothing ({@link #readers}). */
        final boolean shared;
        /** The session objects of the requests reading under a shared hold. */
        final Set<ManagedSession> readers;
        /** How many requests share the hold; changed only inside the map's compute. */
        int sharers;

        Held(LockLease lease) {
            this(lease, false);
        }

        private Held(LockLease lease, boolean shared) {
            this.lease = lease;
            this.shared = shared;
            this.readers = shared ? ConcurrentHashMap.newKeySet() : Set.of();
        }

        /** Whether {@code data} is the session of a request reading under this shared hold. */
        boolean readBy(SessionData data) {
            return readers.stream().anyMatch(s -> s.getSessionData() == data);
        }
    }

    private final ConcurrentHashMap<String, Held> byId = new ConcurrentHashMap<>();

    /** A request that only reads holds the session beside the others of its group (same lock token). */
    Held share(String id, LockLease lease) {
        return byId.compute(id, (k, held) -> {
            Held group = held != null && held.shared && held.lease.token().equals(lease.token()) ? held : new Held(lease, true);
            group.sharers++;
            return group;
        });
    }

    /** A reader is done; the last one of its group removes the entry. */
    void unshare(String id, Held held) {
        byId.computeIfPresent(id, (k, group) -> group == held && --group.sharers == 0 ? null : group);
    }

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
