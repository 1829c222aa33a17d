package dev.tandem.war;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.ApiApplication;
import dev.tandem.api.Health;
import dev.tandem.api.NodeInfo;
import dev.tandem.api.SessionWork;
import dev.tandem.app.ApiWiring;
import dev.tandem.config.BuildVersion;
import dev.tandem.config.ConfigException;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.NodeConfig;
import dev.tandem.dashboard.DashboardResource;
import dev.tandem.dashboard.StatusBoard;
import dev.tandem.dashboard.StatusPublisher;
import dev.tandem.dashboard.WarStatusBoard;
import dev.tandem.events.BridgedEventStore;
import dev.tandem.events.Events;
import dev.tandem.events.WarEventCache;
import dev.tandem.lifecycle.DrainSequence;
import dev.tandem.lifecycle.ListeningAddress;
import dev.tandem.lifecycle.Readiness;
import dev.tandem.overload.OverloadMetrics;
import dev.tandem.overload.Refusals;
import dev.tandem.overload.WarRefusals;
import dev.tandem.server.Metrics;
import dev.tandem.web.Json;
import dev.tandem.web.WarSessionCount;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WAR node: the same config rules and the same wiring as the fat jar (ApiWiring). The options
 * come from the file the jetty-base names in -Dtandem.config (the jar's --config format), then the
 * environment (TANDEM_*); a bad value stops the deployment with the option and the reason.
 * Sessions, cluster, the event log's and the lab dashboard's caches and the request budget are the
 * jetty-base's (modules tandem, tandem-sessions and tandem-overload), handed over by webapps/ROOT.xml.
 */
public final class TandemWebListener implements ServletContextListener {
    private static final Logger LOG = LoggerFactory.getLogger(TandemWebListener.class);
    /** System property with the path of the node's options file, written by bin/tandem-jetty-base. */
    static final String CONFIG_PROPERTY = "tandem.config";
    private Events events;
    private StatusPublisher dashboard;
    private WarWarmup warmup;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext ctx = event.getServletContext();
        NodeConfig config = config();
        Readiness readiness = new Readiness();
        LayerClusterView cluster = new LayerClusterView(ctx.getAttribute(LayerClusterView.ATTRIBUTE));
        PrometheusMeterRegistry metrics = Metrics.registry(config.node());
        Metrics.bindCluster(metrics, cluster);
        IntSupplier sessions = sessionCount(ctx);
        Metrics.bindSessions(metrics, sessions);
        bindRefusals(ctx, metrics);
        // The real-time API on the server's event cache (handed over by webapps/ROOT.xml), as the jar's.
        events = new Events(config.node(), Json.newMapper(), config.sessionTimeout().plusMinutes(1),
                config.eventsWriteTimeout());
        events.start(new BridgedEventStore(ctx.getAttribute(WarEventCache.ATTRIBUTE)), cluster.clustered(), metrics);
        // After the drain window (the balancer sends nothing new), end the waiting listeners (they
        // reconnect elsewhere), then stop Jetty gracefully: in-flight requests finish, then the
        // session layer (a server bean) leaves the cluster in order.
        DrainSequence drain = new DrainSequence(readiness, config.drainTime(), List.of(
                new DrainSequence.Step("ending long polls and event streams (clients reconnect elsewhere)", events::drain),
                // Before Jetty stops: stopping it stops the session layer, and the board's cache with it.
                new DrainSequence.Step("telling the lab dashboard this node stopped", this::stopDashboard),
                new DrainSequence.Step("stopping Jetty (in-flight requests finish, then the node leaves the cluster)",
                        cluster::stopServer)));
        NodeInfo info = new NodeInfo(config.node(), BuildVersion.current(), Instant.now());
        SessionWork sessionWork = new SessionWork();
        ObjectMapper mapper = Json.newMapper();
        // The lab dashboard's board: the server's cache as JDK functions (webapps/ROOT.xml), as the events'.
        StatusBoard board = StatusBoard.bridged(ctx.getAttribute(WarStatusBoard.ATTRIBUTE), mapper);
        ApiWiring.install(ctx, config, new ApiApplication.Dependencies(info, cluster, readiness, drain, metrics,
                mapper, sessionWork, sessions, events.sessionChanges(),
                List.of(events.api(sessionWork, cluster), DashboardResource.module(info, cluster, board))));
        // Ready once the server listens and the warm-up pass through it is over, as the fat jar.
        warmup = WarWarmup.start(ctx.getAttribute(ListeningAddress.ATTRIBUTE), config, cluster, readiness);
        dashboard = StatusPublisher.start(board, info, address(config), new Health(readiness, cluster),
                cluster, metrics);
        LOG.info("node {} (tandem {}) deployed as a WAR", config.node(), info.version());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (warmup != null) {
            warmup.close();
        }
        stopDashboard();
        if (events != null) {
            events.close();
        }
    }

    private void stopDashboard() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    /** Where the node listens, as the options say (Jetty's connector is the jetty-base's, not ours). */
    private static URI address(NodeConfig config) {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create("http://" + host + ":" + config.port() + "/");
    }

    /** The server-side request budget's refusals, handed over by webapps/ROOT.xml (see WarRefusals). */
    private static void bindRefusals(ServletContext ctx, PrometheusMeterRegistry metrics) {
        if (!(ctx.getAttribute(WarRefusals.ATTRIBUTE) instanceof Map<?, ?> refusals)) {
            throw new IllegalStateException("context attribute " + WarRefusals.ATTRIBUTE
                    + " is missing: deploy through the jetty-base's webapps/ROOT.xml (bin/tandem-jetty-base)");
        }
        OverloadMetrics.bindRefusals(metrics, (LongSupplier) refusals.get(Refusals.QUEUE_FULL),
                (LongSupplier) refusals.get(Refusals.QUEUE_TIMEOUT));
    }

    /** The server-side session layer's count, handed over by webapps/ROOT.xml (see WarSessionCount). */
    private static IntSupplier sessionCount(ServletContext ctx) {
        if (ctx.getAttribute(WarSessionCount.ATTRIBUTE) instanceof IntSupplier count) {
            return count;
        }
        throw new IllegalStateException("context attribute " + WarSessionCount.ATTRIBUTE
                + " is missing: deploy through the jetty-base's webapps/ROOT.xml (bin/tandem-jetty-base)");
    }

    private static NodeConfig config() {
        String file = System.getProperty(CONFIG_PROPERTY);
        String[] args = file == null || file.isBlank() ? new String[0] : new String[] {"--config", file};
        try {
            if (new ConfigLoader(System.getenv(), () -> "node").load(args) instanceof ConfigLoader.Start start) {
                return start.config();
            }
            throw new IllegalStateException("tandem: the options file asks for help, not a node: " + file);
        } catch (ConfigException e) {
            LOG.error("tandem: {} (options file {})", e.getMessage(), file);
            throw new IllegalStateException("tandem: " + e.getMessage(), e);
        }
    }
}
