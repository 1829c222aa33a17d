package dev.tandem.session;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.eclipse.jetty.session.infinispan.InfinispanSessionDataStore;
import org.infinispan.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's Infinispan session store with fenced writes, honest failures and entries that expire.
 *
 * <ul>
 *   <li><b>Fenced writes.</b> A request writes a session only while it holds the session's lock,
 *   and only over the exact entry it last read or wrote ({@code replace(key, expected, new)},
 *   decided on the key's primary owner). A write from a node that was paused, cut off or slow past
 *   its lock can therefore never land over newer state: it is refused, and the client gets an
 *   error instead of a success.</li>
 *   <li><b>Honest failures.</b> A read the cluster refuses (degraded partition, unreachable owners,
 *   a timeout) is "unavailable" (503), never "unreadable": only data that really cannot be read
 *   back (refused by the serial filter) counts as gone.</li>
 *   <li><b>Expiry.</b> Without a query manager Jetty never finds expired sessions in Infinispan
 *   (jetty #2140), so each write carries a lifespan of the session timeout plus a grace period
 *   and Infinispan reaps them.</li>
 * </ul>
 */
final class FencedSessionDataStore extends InfinispanSessionDataStore {
    private static final Logger LOG = LoggerFactory.getLogger(FencedSessionDataStore.class);

    private final SessionHolds holds;
    private final ViewGate gate;
    /** How long a write done while the view changed waits for the cache to settle before it is refused. */
    private static final Duration SETTLE_AFTER_WRITE = Duration.ofSeconds(2);
    private final PauseFence fence;
    private final StoreObserver observer;
    private final ReplicaRepair repair;
    private final DecodedAttributes decoded;
    private final long graceMs;

    FencedSessionDataStore(SessionHolds holds, PauseFence fence, ViewGate gate, StoreObserver observer,
                           ReplicaRepair repair, DecodedAttributes decoded, Duration grace) {
        this.gate = gate;
        this.decoded = decoded;
        this.repair = repair;
        this.holds = holds;
        this.fence = fence;
        this.observer = observer;
        this.graceMs = grace.toMillis();
    }

    /**
     * Always: the cache stores marshalled entries, so attributes must travel as bytes. (Jetty only
     * turns this on for embedded caches when the Hot Rod client happens to be on the classpath.)
     */
    @Override
    public boolean isPassivating() {
        return true;
    }

    @Override
    public SessionData doLoad(String id) throws Exception {
        long t0 = System.nanoTime();
        try {
            InfinispanSessionData stored;
            try {
                stored = getCache().get(getCacheKey(id));
            } catch (RuntimeException e) {
                throw new SessionUnavailableException("cannot read the session from the cluster", e);
            }
            if (stored == null) {
                refuseMissWhileMoving();
                return null;
            }
            SessionHolds.Held held = holds.get(id);
            if (held != null && !held.shared) {
                held.stored = copyOf(stored);
            }
            // Infinispan does not keep Jetty's "last saved" time; the last write's access time is it.
            // Without it every request, reads too, would write the session back.
            stored.setLastSaved(stored.getAccessed());
            try {
                decoded.decode(stored);
            } catch (Exception e) {
                throw new UnreadableSessionDataException(id, _context, e);
            }
            return stored;
        } finally {
            observer.timed("load", System.nanoTime() - t0);
        }
    }

    /**
     * A session this node does not hold may still be on its way here while the cache moves entries:
     * after a merge, its conflict resolution copies in the sessions the other side created during
     * the cut or while it runs. A node that merged back handed out a fresh session for such an id
     * (PartitionIT, a client logging in through the cut and the heal). So a miss counts as "no such
     * session" only once the cache has settled; before, it is "cannot read right now" (503).
     */
    private void refuseMissWhileMoving() {
        if (getCache() instanceof Cache<?, ?> cache) {
            CacheSettling.moving(cache).ifPresent(phase -> {
                throw new SessionUnavailableException("this node is still receiving the cluster's sessions (" + phase + ")");
            });
        }
    }

    @Override
    public void doStore(String id, SessionData data, long lastSaveTime) throws Exception {
        long t0 = System.nanoTime();
        InfinispanSessionData attempted = null;
        long lifespan = -1;
        try {
            SessionHolds.Held held = holds.get(id);
            if (held == null) {
                // Read without the lock (a path that only reads the session): it writes nothing.
                LOG.debug("not writing session {}: this request does not hold its lock", id);
                return;
            }
            if (held.shared) {
                if (held.readBy(data) && data.isDirty()) {
                    throw new AloneNeeded("a request that only reads the session tried to change it");
                }
                // Only the access time (a read that outlasted half the save period: the next write
                // carries it), or a copy read without the lock: nothing to write under a shared hold.
                LOG.debug("not writing session {}: read under a shared hold", id);
                return;
            }
            if (held.refused) {
                // This request's client has been told its write failed: nothing more of it is written.
                return;
            }
            if (held.owner instanceof org.eclipse.jetty.session.ManagedSession owner && owner.getSessionData() != data) {
                // Another request on this node holds the lock; this copy was read without it (a long
                // poll that outlived a write): writing it under that lock would undo that write.
                LOG.debug("not writing session {}: read without the lock another request holds", id);
                return;
            }
            checkHold(held);
            InfinispanSessionData sd = (InfinispanSessionData) data;
            decoded.encode(sd);
            String key = getCacheKey(id);
            lifespan = data.getMaxInactiveMs() > 0 ? data.getMaxInactiveMs() + graceMs : -1;
            attempted = sd;
            boolean written;
            if (held.stored == null) {
                // Nothing read or written under this lock yet: a new session (or a renewed id).
                written = getCache().putIfAbsent(key, sd, lifespan, TimeUnit.MILLISECONDS) == null;
            } else {
                written = getCache().replace(key, held.stored, sd, lifespan, TimeUnit.MILLISECONDS);
            }
            if (!written) {
                observer.refused();
                // With the lock held nobody else wrote it: this node's copy may differ from the primary's.
                repair.schedule(key);
                throw new SessionUnavailableException("the session changed since this request read it; write refused");
            }
            Optional<String> changing = gate.awaitSettled(SETTLE_AFTER_WRITE);
            if (changing.isPresent()) {
                // Written while the view was changing and still unsettled (or degraded): maybe only
                // here on a cut-off minority. Never acknowledged; the majority's copy wins at the merge.
                observer.refused();
                throw new SessionUnavailableException("the session write may not have reached the cluster: " + changing.get());
            }
            held.stored = copyOf(sd);
        } catch (SessionUnavailableException e) {
            refuse(id);
            throw e;
        } catch (RuntimeException e) {
            refuse(id);
            if (attempted != null) { // sent to the cluster: it may have landed on some members
                unsettled(id, copyOf(attempted), lifespan);
            }
            throw new SessionUnavailableException("cannot write the session to the cluster", e);
        } finally {
            observer.timed("store", System.nanoTime() - t0);
        }
    }

    @Override
    public boolean delete(String id) throws Exception {
        long t0 = System.nanoTime();
        try {
            SessionHolds.Held held = holds.get(id);
            String key = getCacheKey(id);
            if (held != null && held.shared) {
                throw new AloneNeeded("a request that only reads the session would remove it");
            }
            if (held != null && held.moving) {
                return true; // removed by LockingSessionCache once the session is stored under its new id
            }
            if (held == null || held.stored == null) {
                return getCache().remove(key) != null;
            }
            checkHold(held);
            if (!getCache().remove(key, held.stored)) {
                observer.refused();
                repair.schedule(key);
                throw new SessionUnavailableException("the session changed since this request read it; not removed");
            }
            held.stored = null;
            return true;
        } catch (SessionUnavailableException e) {
            throw untold(id, e);
        } catch (RuntimeException e) {
            unsettled(id, null, -1);
            throw untold(id, new SessionUnavailableException("cannot remove the session from the cluster", e));
        } finally {
            observer.timed("delete", System.nanoTime() - t0);
        }
    }

    /** Kept for the request's flush: Jetty swallows a failed invalidation (see {@link SessionHolds.Held#untold}). */
    private SessionUnavailableException untold(String id, SessionUnavailableException e) {
        SessionHolds.Held held = holds.get(id);
        if (held != null && !held.shared) {
            held.untold = e;
        }
        return e;
    }

    /**
     * No answer in time: the write may sit on some members only. The copy the primary owner holds is
     * written to every member again, and the request keeps the session's lock until then, so nobody
     * reads either copy. Only a write made under the lock, over the copy it read, can be settled so.
     */
    private void unsettled(String id, InfinispanSessionData attempted, long lifespan) {
        SessionHolds.Held held = holds.get(id);
        if (held != null && (held.stored != null || attempted != null)) {
            // The old id's entry of a session stored under its new id has no copy worth keeping: it
            // settles to removed, or the old id would serve a second copy of the session (CutOffLoginTest).
            InfinispanSessionData before = held.moved ? null : held.stored;
            held.unsettled = repair.settle(getCacheKey(id), before, attempted, lifespan, held.lease.entryAgeNanos());
        }
    }

    private void refuse(String id) {
        SessionHolds.Held held = holds.get(id);
        if (held != null) {
            held.refused = true;
        }
    }

    /**
     * A lock held past the safe time may have been broken while this node slept: refuse to write.
     * So is any write once the node has noticed a pause it has not yet confirmed its view after:
     * a request may have passed the fence at its start, slept, and taken its lock after waking.
     */
    private void checkHold(SessionHolds.Held held) {
        if (held.lease.heldNanos() > fence.maxHold().toNanos()) {
            observer.refused();
            throw new SessionUnavailableException("held the session's lock for " + held.lease.heldNanos() / 1_000_000
                    + " ms, longer than is safe to write (" + fence.maxHold().toMillis() + " ms)");
        }
        Optional<String> paused = fence.refusal();
        if (paused.isPresent()) {
            observer.refused();
            throw new SessionUnavailableException(paused.get());
        }
    }

    /** The entry exactly as stored: marshalled again it gives the same bytes, so it can be compared. */
    private static InfinispanSessionData copyOf(InfinispanSessionData sd) {
        InfinispanSessionData copy = new InfinispanSessionData(sd.getId(), sd.getContextPath(), sd.getVhost(),
                sd.getCreated(), sd.getAccessed(), sd.getLastAccessed(), sd.getMaxInactiveMs());
        copy.setCookieSet(sd.getCookieSet());
        copy.setLastNode(sd.getLastNode());
        copy.setExpiry(sd.getExpiry());
        copy.setSerializedAttributes(sd.getSerializedAttributes());
        return copy;
    }
}
