package dev.tandem.events;

/** A client waiting on a channel here: a long poll or an SSE stream. */
interface Waiter {
    /** The channel has new readable events (called off the cache's threads). */
    void wake();

    /** The node is draining: end now with a reconnect hint. */
    void drain();
}
