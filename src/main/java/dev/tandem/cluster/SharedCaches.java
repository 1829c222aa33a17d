package dev.tandem.cluster;

/**
 * The caches of the modules above the session layer, by name: tandem-infinispan.xml defines them
 * for a cluster, and {@link CacheManagers} alike for a node alone.
 */
public final class SharedCaches {
    /** The real-time API's event log (dev.tandem.events). */
    public static final String EVENTS = "tandem-events";
    /** The lab dashboard's status board (dev.tandem.dashboard). */
    public static final String BOARD = "tandem-lab";

    private SharedCaches() {}
}
