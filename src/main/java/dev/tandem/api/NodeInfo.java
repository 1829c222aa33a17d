package dev.tandem.api;

import java.time.Duration;
import java.time.Instant;

/** Who this node is, as the API reports it. */
public record NodeInfo(String name, String version, Instant startedAt) {
    public Duration uptime() {
        return Duration.between(startedAt, Instant.now());
    }
}
