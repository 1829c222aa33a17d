package dev.tandem.session;

import org.eclipse.jetty.session.ManagedSession;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.SessionManager;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's NullSessionCache (every request loads the latest stored state, whichever node wrote
 * it) with the session's cluster-wide lock held from the load to the end of the request (taken
 * through this node's line for the session, {@link SessionLockQueue}): requests for one session
 * take effect one after another, on any nodes. A request that only reads without
 * the lock (see {@link SessionRequestScope}) never writes.
 */
final class LockingSessionCache extends NullSessionCache {
    private static final Logger LOG = LoggerFactory.getLogger(LockingSessionCache.class);

    private final SessionLockQueue queue;
    private final SessionHolds holds;
    private final PauseFence fence;
    private final StoreObserver observer;
    private final SessionRequestScope scope;

    LockingSessionCache(SessionManager manager, SessionLockQueue queue, SessionHolds holds, PauseFence fence,
                        SessionRequestScope scope, StoreObserver observer) {
        super(manager);
        this.queue = queue;
        this.holds = holds;
        this.fence = fence;
        this.scope = scope;
        this.observer = observer;
    }

    @Override
    public ManagedSession get(String id) throws Exception {
        try {
            refuseIfFenced();
            if (!scope.locking()) {
                return super.get(id);
            }
            SessionHolds.Held held = hold(id);
            try {
                ManagedSession session = super.get(id);
                if (session == null) {
                    unhold(id, held);
                    return null;
                }
                if (held.lease.heldNanos() > fence.maxHold().toNanos()) {
                    throw new SessionUnavailableException("the session was loaded too slowly to trust (paused?)");
                }
                held.owner = session;
                return session;
            } catch (Exception | Error e) {
                unhold(id, held);
                throw e;
            }
        } catch (SessionUnavailableException e) {
            // Jetty turns any failure here into "no session"; the scope tells the request the truth.
            scope.unavailable(e);
            throw e;
        }
    }

    @Override
    public ManagedSession newSession(String id, long time, long maxInactiveMs) {
        refuseIfFenced();
        SessionHolds.Held held = hold(id);
        ManagedSession session;
        try {
            session = super.newSession(id, time, maxInactiveMs);
        } catch (RuntimeException | Error e) {
            unhold(id, held);
            throw e;
        }
        held.owner = session;
        if (isSaveOnCreate() && session.getSessionData().getLastSaved() <= 0) {
            // Jetty logs a failed save-on-create and carries on; a session nobody stored is no session.
            unhold(id, held);
            throw new SessionUnavailableException("the new session could not be stored in the cluster");
        }
        return session;
    }

    @Override
    public ManagedSession renewSessionId(String oldId, String newId, String oldExtendedId, String newExtendedId)
            throws Exception {
        SessionHolds.Held old = holds.get(oldId);
        SessionHolds.Held renewed = hold(newId);
        renewed.owner = old == null ? null : old.owner;
        try {
            return super.renewSessionId(oldId, newId, oldExtendedId, newExtendedId);
        } finally {
            if (old != null) {
                unhold(oldId, old);
            }
        }
    }

    @Override
    public void release(ManagedSession session) throws Exception {
        try {
            super.release(session);
        } finally {
            SessionHolds.Held held = holds.get(session.getId());
            if (held != null && held.owner == session) {
                unhold(session.getId(), held);
            }
        }
    }

    private void refuseIfFenced() {
        fence.refusal().ifPresent(why -> {
            throw new SessionUnavailableException(why);
        });
    }

    private SessionHolds.Held hold(String id) {
        long t0 = System.nanoTime();
        SessionHolds.Held held;
        try {
            held = new SessionHolds.Held(queue.acquire(id));
        } finally {
            observer.timed("lock", System.nanoTime() - t0);
        }
        holds.put(id, held);
        return held;
    }

    private void unhold(String id, SessionHolds.Held held) {
        if (holds.remove(id, held)) {
            CompletableFuture<Void> unsettled = held.unsettled;
            if (unsettled == null) {
                queue.release(held.lease);
            } else {
                unsettled.whenComplete((settled, failure) -> queue.release(held.lease));
            }
        } else {
            LOG.debug("session {} was no longer held by this request", id);
        }
    }
}
