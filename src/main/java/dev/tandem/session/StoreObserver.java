package dev.tandem.session;

/** What the session store reports (timings, refused writes), for whoever keeps the node's metrics. */
public interface StoreObserver {
    StoreObserver NONE = new StoreObserver() {
        @Override
        public void timed(String op, long nanos) {}

        @Override
        public void refused() {}
    };

    /**
     * One store operation ("load", "store", "delete") took this long, or a request waited this
     * long for a session's lock ("lock", this node's line for it included; refused or not).
     */
    void timed(String op, long nanos);

    /** The fence refused a write (the entry changed since it was read, or the lock was held too long). */
    void refused();
}
