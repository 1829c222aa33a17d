package dev.tandem.config;

import java.time.Duration;
import java.util.List;

/** Everything a node needs to start, validated. Built by {@link ConfigLoader}. */
public record NodeConfig(
        String host,
        int port,
        String node,
        List<HostPort> peers,
        String clusterHost,
        int clusterPort,
        String clusterName,
        Duration sessionTimeout,
        Duration drainTime,
        Duration stopTimeout,
        List<Cidr> trustedProxies,
        String sessionClasses) {

    public NodeConfig {
        peers = List.copyOf(peers);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** With no peers the node keeps sessions in a local cache and forms no cluster. */
    public boolean clustered() {
        return !peers.isEmpty();
    }

    /** Defaults for embedding and tests: standalone, any free port on loopback. */
    public static NodeConfig standalone(String node) {
        return new NodeConfig("127.0.0.1", 0, node, List.of(), "127.0.0.1", 7800, "tandem",
                Duration.ofMinutes(30), Duration.ZERO, Duration.ofSeconds(5),
                List.of(Cidr.parse("trusted", "127.0.0.0/8")), "");
    }

    public NodeConfig withCluster(String clusterHost, int clusterPort, List<HostPort> peers, String clusterName) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drainTime, stopTimeout, trustedProxies, sessionClasses);
    }

    public NodeConfig withDrainTime(Duration drain) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drain, stopTimeout, trustedProxies, sessionClasses);
    }

    public NodeConfig withSessionTimeout(Duration timeout) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                timeout, drainTime, stopTimeout, trustedProxies, sessionClasses);
    }
}
