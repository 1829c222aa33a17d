package dev.tandem.lifecycle;

/** Starts the node's drain: stop being ready, keep serving a while, stop gracefully, leave the cluster. */
@FunctionalInterface
public interface Drainer {
    /** @return false when a drain was already under way. */
    boolean drain(String reason);
}
