package dev.tandem.events;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients waiting on one channel on this node. The set is made for the first of them: most
 * channels never have one here (a session's channel is kept on every node), and an empty set
 * costs about 90 B a channel.
 */
final class ChannelWaiters {
    private volatile Set<Waiter> set;

    void add(Waiter w) {
        Set<Waiter> waiters = set;
        if (waiters == null) {
            synchronized (this) {
                if (set == null) {
                    set = ConcurrentHashMap.newKeySet();
                }
                waiters = set;
            }
        }
        waiters.add(w);
    }

    void remove(Waiter w) {
        Set<Waiter> waiters = set;
        if (waiters != null) {
            waiters.remove(w);
        }
    }

    /** The waiting clients (a live view; empty when none ever came). */
    Set<Waiter> all() {
        Set<Waiter> waiters = set;
        return waiters == null ? Set.of() : waiters;
    }

    boolean isEmpty() {
        Set<Waiter> waiters = set;
        return waiters == null || waiters.isEmpty();
    }
}
