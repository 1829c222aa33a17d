package dev.tandem.config;

import dev.tandem.transport.TransportSecurity;

/**
 * A WAR node's settings as start.d ini lines for Jetty, from the same validated config the jar
 * runs with, so bin/tandem-jetty-base derives nothing itself (peers in JGroups' format, the
 * cluster address, a cluster of one).
 */
final class JettyIni {
    private JettyIni() {}

    /** The credentials' directory, never the password: the node reads it from the directory. */
    private static String security(TransportSecurity s) {
        return s instanceof TransportSecurity.Tls tls
                ? "-D" + TransportSecurity.CREDENTIALS + "=" + tls.credentials().directory()
                : "-D" + TransportSecurity.INSECURE + "=true";
    }

    static String lines(NodeConfig c) {
        // Without peers the WAR node is a cluster of one (its infinispan.xml is always clustered).
        String peers = c.clustered() ? c.jgroupsInitialHosts() : c.clusterHost() + "[" + c.clusterPort() + "]";
        String trusted = c.trustedProxies().toString().replaceAll("[\\[\\] ]", "");
        return String.join(System.lineSeparator(),
                "jetty.http.host=" + c.host(),
                "jetty.http.port=" + c.port(),
                "# --stop-timeout: in-flight requests get this long to finish on stop.",
                "jetty.server.stopTimeout=" + c.stopTimeout().toMillis(),
                "# No per-connection header cache: HAProxy's shared connections only miss it (HeaderCache).",
                "jetty.httpConfig.headerCacheSize=" + HeaderCache.SIZE,
                "# The session id suffix HAProxy routes on: must be the node name and stay stable.",
                "jetty.sessionIdManager.workerName=" + c.node(),
                "-Dtandem.node=" + c.node(),
                "-Dtandem.session.timeout.seconds=" + c.sessionTimeout().toSeconds(),
                "-Dtandem.cluster.name=" + c.clusterName(),
                "-Dtandem.cluster.host=" + c.clusterHost(),
                "-Dtandem.cluster.port=" + c.clusterPort(),
                "-Dtandem.cluster.peers=" + peers,
                "-Dtandem.trusted.proxies=" + trusted,
                "# The request budget (module tandem-overload). Without a request limit the node derives",
                "# it from the cores of the machine it runs on; HAProxy reads it from the agent port.",
                "-Dtandem.max.requests=" + (c.overload().maxRequestsGiven() ? Integer.toString(c.overload().maxRequests()) : ""),
                "-Dtandem.max.queued=" + c.overload().maxQueued(),
                "-Dtandem.queue.ms=" + c.overload().queueTime().toMillis(),
                "-Dtandem.agent.port=" + (c.overload().hasAgent() ? Integer.toString(c.overload().agentPort()) : ""),
                security(c.transportSecurity()));
    }
}
