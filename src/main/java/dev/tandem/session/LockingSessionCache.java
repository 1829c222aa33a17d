package dev.tandem.session;

import org.eclipse.jetty.session.ManagedSession;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.SessionManager;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import jakarta.servlet.http.HttpSession;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's NullSessionCache (every request loads the latest stored state, whichever node wrote
 * it) with the session's cluster-wide lock held from the load to the end of the request (taken
 * through this node's line for the session, {@link SessionLockQueue}): requests for one session
 * take effect one after another, on any nodes. GETs of a session on this node hold its lock
 * together ({@link SharedReads}) unless they would write it. A request that only reads without
 * the lock (see {@link SessionRequestScope}) never writes.
 */
final class LockingSessionCache extends NullSessionCache {
    private static final Logger LOG = LoggerFactory.getLogger(LockingSessionCache.class);

    private final SessionLockQueue queue;
    private final SharedReads shared;
    private final SessionHolds holds;
    private final PauseFence fence;
    private final StoreObserver observer;
    private final SessionRequestScope scope;
    private volatile Predicate<HttpSession> writesDue;

    LockingSessionCache(SessionManager manager, SessionLockQueue queue, SharedReads shared, SessionHolds holds,
                        PauseFence fence, SessionRequestScope scope, StoreObserver observer) {
        super(manager);
        this.queue = queue;
        this.shared = shared;
        this.holds = holds;
        this.fence = fence;
        this.scope = scope;
        this.observer = observer;
    }

    @Override
    public ManagedSession get(String id) throws Exception {
        try {
            refuseIfFenced();
            SessionRequestScope.Hold hold = scope.hold();
            if (hold == SessionRequestScope.Hold.NONE) {
                return super.get(id);
            }
            Predicate<HttpSession> due = hold == SessionRequestScope.Hold.SHARED ? writesDue() : null;
            if (due != null) {
                try {
                    return getShared(id, due);
                } catch (AloneNeeded e) {
                    LOG.debug("session {}: {}; taking it alone", id, e.getMessage());
                }
            }
            return getAlone(id);
        } catch (SessionUnavailableException e) {
            throw unavailable(e);
        } catch (UnreadableSessionDataException e) {
            throw e; // stored data that cannot be read back: Jetty removes it (setRemoveUnloadableSessions)
        } catch (Exception e) {
            // A failure nobody foresaw (a replica read refused, a cache stopping) is no sign either that
            // the session is gone: refused like the rest, not handed out as a fresh one.
            LOG.warn("reading a session failed unexpectedly; the request is refused (503)", e);
            throw unavailable(new SessionUnavailableException("an unexpected failure, logged on the node", e));
        }
    }

    /** Jetty turns any failure of {@link #get} into "no session"; the scope tells the request the truth. */
    private SessionUnavailableException unavailable(SessionUnavailableException e) {
        scope.unavailable(e);
        return e;
    }

    private ManagedSession getAlone(String id) throws Exception {
        SessionHolds.Held held = hold(id);
        try {
            ManagedSession session = super.get(id);
            if (session == null) {
                unhold(id, held);
                return null;
            }
            refuseIfLoadedTooSlowly(held.lease);
            held.owner = session;
            return session;
        } catch (Exception | Error e) {
            unhold(id, held);
            throw e;
        }
    }

    /**
     * Reads the session beside this node's other reads of it ({@link ReadGroup}), unless it is due
     * a write (Jetty's end of an expired session, or ours: {@link ClusterSessionHandler#WRITES_DUE}),
     * which a shared hold cannot make: then {@link AloneNeeded}, and the caller loads it again alone.
     * The decision is made here, before Jetty hands the session out: waiting for the session alone
     * later, while holding a share of it, could wait for ever on another reader doing the same.
     */
    private ManagedSession getShared(String id, Predicate<HttpSession> due) throws Exception {
        LockLease lease = timed("share", () -> shared.acquire(id));
        SessionHolds.Held held = holds.share(id, lease);
        boolean reading = false;
        try {
            ManagedSession session = super.get(id);
            if (session == null) {
                return null;
            }
            refuseIfLoadedTooSlowly(lease);
            if (session.isExpiredAt(System.currentTimeMillis()) || due.test(session.getApi())) {
                throw new AloneNeeded("the session is due a write");
            }
            held.readers.add(session);
            reading = true;
            return session;
        } finally {
            if (!reading) {
                unshare(id, held);
            }
        }
    }

    /** Our rule for a read that would write the session, from the servlet context (set by the API's wiring); null when none. */
    private Predicate<HttpSession> writesDue() {
        Predicate<HttpSession> rule = writesDue;
        if (rule == null) {
            jakarta.servlet.ServletContext context = ServletContextHandler.getServletContext(getSessionManager().getContext());
            Object set = context == null ? null : context.getAttribute(ClusterSessionHandler.WRITES_DUE);
            if (set instanceof Predicate<?>) {
                @SuppressWarnings("unchecked")
                Predicate<HttpSession> found = (Predicate<HttpSession>) set;
                writesDue = rule = found;
                LOG.info("GETs of a session share its lock on this node, except those that would write it");
            }
        }
        return rule;
    }

    private void refuseIfLoadedTooSlowly(LockLease lease) {
        if (lease.heldNanos() > fence.maxHold().toNanos()) {
            throw new SessionUnavailableException("the session was loaded too slowly to trust (paused?)");
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
        if (old != null && old.shared) {
            throw new AloneNeeded("a request that only reads the session cannot change its id");
        }
        SessionHolds.Held renewed = null;
        ManagedSession session;
        try {
            renewed = hold(newId);
            if (old != null) {
                old.moving = true; // the old entry goes only once the new one is stored (Jetty deletes first)
            }
            // Stores the session under the new id (ownerless till then: the copy Jetty moves is not the request's).
            session = super.renewSessionId(oldId, newId, oldExtendedId, newExtendedId);
        } catch (Exception | Error e) {
            // Nothing moved: the request keeps its session under the old id (ClusterSessionHandler
            // fails its changeSessionId), and writes nothing more of it.
            if (renewed != null) {
                unhold(newId, renewed);
            }
            refuseRest(old);
            throw e;
        } finally {
            if (old != null) {
                old.moving = false;
            }
        }
        renewed.owner = old == null ? null : old.owner;
        if (old != null) {
            old.moved = true;
            removeOld(oldId);
            unhold(oldId, old);
        }
        return session;
    }

    /**
     * The session under its old id, once it is stored under the new one. A removal without an answer
     * is settled to removed on every member ({@link ReplicaRepair}); one refused leaves a copy that
     * expires.
     */
    private void removeOld(String oldId) {
        try {
            getSessionDataStore().delete(oldId);
        } catch (Exception e) {
            LOG.warn("could not remove a session's old id once it was stored under its new one: {}", e.toString());
        }
    }

    /** The request's client hears that its session could not be changed; nothing more of it is written. */
    private static void refuseRest(SessionHolds.Held held) {
        if (held != null) {
            held.refused = true;
        }
    }

    @Override
    public void release(ManagedSession session) throws Exception {
        try {
            super.release(session);
        } finally {
            SessionHolds.Held held = holds.get(session.getId());
            if (held == null) {
                return; // read without the lock
            }
            if (held.shared ? held.readers.remove(session) : held.owner == session) {
                unhold(session.getId(), held);
            }
        }
    }

    /** Throws the failure of this request's end of {@code session}, if it had one (Jetty only logged it). */
    void throwIfEndFailed(ManagedSession session) {
        SessionHolds.Held held = holds.get(session.getId());
        if (held != null && held.owner == session && held.untold != null) {
            throw held.untold;
        }
    }

    private void refuseIfFenced() {
        fence.refusal().ifPresent(why -> {
            throw new SessionUnavailableException(why);
        });
    }

    private SessionHolds.Held hold(String id) {
        SessionHolds.Held held = new SessionHolds.Held(timed("lock", () -> queue.acquire(id)));
        holds.put(id, held);
        return held;
    }

    private LockLease timed(String op, Supplier<LockLease> acquire) {
        long t0 = System.nanoTime();
        try {
            return acquire.get();
        } finally {
            observer.timed(op, System.nanoTime() - t0);
        }
    }

    private void unshare(String id, SessionHolds.Held held) {
        holds.unshare(id, held);
        shared.release(held.lease);
    }

    private void unhold(String id, SessionHolds.Held held) {
        if (held.shared) {
            unshare(id, held);
        } else if (holds.remove(id, held)) {
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
