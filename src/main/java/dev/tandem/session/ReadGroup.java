package dev.tandem.session;

/**
 * The requests of one node that read one session together under a single hold of its lock: the
 * first (the leader) takes the lock as a request alone would, the others join while the lock is
 * young enough to pass on, and the last to leave passes, keeps or gives back the lock as a request
 * alone does. Each member holds one permit of its line's turn, so a request that writes (all
 * permits) waits for the group to end, and readers arriving after that request wait for it.
 *
 * <p>A monitor: {@link #enter} decides, and waits while the group is being formed or is closed
 * (its lock too old to join, or gone) until it has ended.
 */
final class ReadGroup {
    enum State { IDLE, LEADING, OPEN, CLOSED }

    /** What {@link #enter} tells a reader: lead a new group, or join this lease's. */
    record Entry(LockLease joined) {
        static final Entry LEAD = new Entry(null);

        boolean leads() {
            return joined == null;
        }
    }

    private State state = State.IDLE;
    private LockLease lease;
    private int readers;
    private int waiting;

    /**
     * Leads a new group, joins the open one if {@code joinable} says its lease may still be shared,
     * or waits for the group to end; null when {@code deadline} (System.nanoTime) passes first.
     */
    synchronized Entry enter(long deadline, java.util.function.Predicate<LockLease> joinable) throws InterruptedException {
        while (true) {
            if (state == State.IDLE) {
                state = State.LEADING;
                readers = 1;
                return Entry.LEAD;
            }
            if (state == State.OPEN) {
                if (joinable.test(lease)) {
                    readers++;
                    return new Entry(lease);
                }
                state = State.CLOSED; // nobody joins any more: the group ends as its readers finish
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            waiting++;
            try {
                wait(left / 1_000_000, (int) (left % 1_000_000));
            } finally {
                waiting--;
            }
        }
    }

    /** The leader has the lock: others may join. */
    synchronized void led(LockLease lease) {
        this.lease = lease;
        state = State.OPEN;
        notifyAll();
    }

    /** The leader could not get the lock: the next waiting reader tries. */
    synchronized void leadFailed() {
        readers = 0;
        ended();
    }

    /** A joined lease turned out lapsed: nobody else joins it. */
    synchronized void close() {
        if (state == State.OPEN) {
            state = State.CLOSED;
        }
    }

    /**
     * A reader is done. Returns the group's lease when it was the last one: the caller passes,
     * keeps or gives back the lock, then calls {@link #ended()}; nobody joins in between.
     */
    synchronized LockLease leave() {
        if (--readers > 0) {
            return null;
        }
        state = State.CLOSED;
        return lease;
    }

    /** The lock is dealt with: a waiting reader may lead a new group. */
    synchronized void ended() {
        state = State.IDLE;
        lease = null;
        notifyAll();
    }

    /** Readers waiting for the group to form or to end (they hold their permits meanwhile). */
    synchronized int waiting() {
        return waiting;
    }
}
