package dev.tandem.session;

import dev.tandem.transport.ClusterCacheManagers;
import dev.tandem.transport.TransportSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.eclipse.jetty.server.Server;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session layer as a WAR node's Jetty wires it: called from the jetty-base's
 * etc/tandem-sessions.xml (the layer, a bean of the Server) and webapps/ROOT.xml (the webapp's
 * session handler, and the layer as JDK types the webapp can see).
 */
public final class WarNodes {
    private static final Logger LOG = LoggerFactory.getLogger(WarNodes.class);

    private WarNodes() {}

    /**
     * For a WAR node: its cache manager, unstarted, from the jetty-base's etc/infinispan.xml with
     * placeholders from the -Dtandem.* system properties and the cluster's credentials.
     */
    public static DefaultCacheManager cacheManager(String infinispanXml) throws java.net.MalformedURLException {
        Properties system = System.getProperties();
        return ClusterCacheManagers.create(Path.of(infinispanXml).toUri().toURL(), system,
                TransportSecurity.fromSystemProperties(system));
    }

    /** For a WAR node: the peer list as the jetty-base passes it to JGroups ("h1[7800],h2[7800]"). */
    public static SessionLayer forJetty(EmbeddedCacheManager manager, String node, String jgroupsPeers) {
        long peers = jgroupsPeers == null ? 0 : java.util.Arrays.stream(jgroupsPeers.split(",")).filter(p -> !p.isBlank()).count();
        return new SessionLayer(manager, node, (int) peers);
    }

    /** For a WAR node (webapps/ROOT.xml): the handler of the layer that is a bean of this server. */
    public static ClusterSessionHandler newHandlerFor(Server server, long sessionTimeoutSeconds) throws Exception {
        SessionLayer layer = layerOf(server);
        // Contexts are deployed while the server starts, maybe before this bean: join first.
        layer.start();
        return layer.newHandler(Duration.ofSeconds(sessionTimeoutSeconds), StoreObserver.NONE);
    }

    /**
     * For a WAR node's webapp, which cannot see Jetty's or Infinispan's classes: the layer as JDK
     * types. "readiness" is a {@code Supplier<Optional<String>>}, "members" a
     * {@code Supplier<List<String>>}, "stop" a {@code Runnable} that stops the server gracefully
     * (in-flight requests finish, then this layer leaves the cluster in order) and then ends the
     * process, as Jetty's own ShutdownMonitor does with exitVm: a stopped Jetty leaves a
     * non-daemon scheduler thread behind, and a drained node must exit so it can be restarted.
     */
    public static Map<String, Object> webappViewFor(Server server) {
        SessionLayer layer = layerOf(server);
        Runnable stop = () -> {
            Thread t = new Thread(() -> {
                int code = 0;
                try {
                    server.stop();
                } catch (Exception e) {
                    LOG.warn("stopping the server failed", e);
                    code = 1;
                }
                System.exit(code);
            }, "tandem-stop");
            t.start();
        };
        return Map.of("readiness", layer.readiness(), "members", layer.memberNames(), "stop", stop);
    }

    private static SessionLayer layerOf(Server server) {
        SessionLayer layer = server.getBean(SessionLayer.class);
        if (layer == null) {
            throw new IllegalStateException("no SessionLayer bean on the server: is the jetty-base's tandem module enabled?");
        }
        return layer;
    }

}
