package dev.tandem.config;

import dev.tandem.overload.OverloadLimits;
import dev.tandem.transport.TransportSecurity;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.jetty.util.HostPort;
import org.eclipse.jetty.util.InetAddressSet;

/**
 * Everything a node needs to start, validated. Built by {@link ConfigLoader}. Peers are Jetty
 * {@link HostPort}s that always carry a port; trusted proxies are a Jetty {@link InetAddressSet}
 * (do not change it after start-up: the server holds its own copy).
 */
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
        InetAddressSet trustedProxies,
        String sessionClasses,
        TransportSecurity transportSecurity,
        OverloadLimits overload,
        SessionLimits sessionLimits,
        Duration warmup, Duration eventsWriteTimeout) {

    public NodeConfig {
        peers = List.copyOf(peers);
    }

    /** With no peers the node keeps sessions in a local cache and forms no cluster. */
    public boolean clustered() {
        return !peers.isEmpty();
    }

    /** The peers in JGroups TCPPING syntax, {@code host[port],...}. */
    public String jgroupsInitialHosts() {
        return peers.stream().map(p -> p.getHost() + "[" + p.getPort() + "]").collect(Collectors.joining(","));
    }

    /** Defaults for embedding and tests: standalone, any free port on loopback. */
    public static NodeConfig standalone(String node) {
        InetAddressSet loopback = new InetAddressSet();
        loopback.add("127.0.0.0/8");
        return new NodeConfig("127.0.0.1", 0, node, List.of(), "127.0.0.1", 7800, "tandem",
                Duration.ofMinutes(30), Duration.ZERO, Duration.ofSeconds(5), loopback, "",
                TransportSecurity.insecure(), OverloadLimits.defaults(), SessionLimits.defaults(), Duration.ZERO,
                Duration.ofSeconds(NodeOptions.EVENTS_WRITE_TIMEOUT_DEFAULT));
    }

    public NodeConfig withCluster(String clusterHost, int clusterPort, List<HostPort> peers, String clusterName) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drainTime, stopTimeout, trustedProxies, sessionClasses, transportSecurity, overload, sessionLimits, warmup, eventsWriteTimeout);
    }

    /** Tests that form clusters in one JVM: the cluster's credentials (standalone() has none). */
    public NodeConfig withTransportSecurity(TransportSecurity security) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drainTime, stopTimeout, trustedProxies, sessionClasses, security, overload, sessionLimits, warmup, eventsWriteTimeout);
    }

    public NodeConfig withDrainTime(Duration drain) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drain, stopTimeout, trustedProxies, sessionClasses, transportSecurity, overload, sessionLimits, warmup, eventsWriteTimeout);
    }

    public NodeConfig withOverload(OverloadLimits limits) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drainTime, stopTimeout, trustedProxies, sessionClasses, transportSecurity, limits, sessionLimits, warmup, eventsWriteTimeout);
    }

    public NodeConfig withSessionTimeout(Duration timeout) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                timeout, drainTime, stopTimeout, trustedProxies, sessionClasses, transportSecurity, overload, sessionLimits, warmup, eventsWriteTimeout);
    }

    /** Tests that check the warm-up pass (standalone() has none: test nodes start at once). */
    public NodeConfig withWarmup(Duration budget) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drainTime, stopTimeout, trustedProxies, sessionClasses, transportSecurity, overload, sessionLimits, budget, eventsWriteTimeout);
    }

    public NodeConfig withSessionLimits(SessionLimits limits) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drainTime, stopTimeout, trustedProxies, sessionClasses, transportSecurity, overload, limits, warmup, eventsWriteTimeout);
    }

    public NodeConfig withEventsWriteTimeout(Duration timeout) {
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drainTime, stopTimeout, trustedProxies, sessionClasses,
                transportSecurity, overload, sessionLimits, warmup, timeout);
    }
}
