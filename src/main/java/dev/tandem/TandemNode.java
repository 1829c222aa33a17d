package dev.tandem;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.ApiApplication;
import dev.tandem.api.Health;
import dev.tandem.api.NodeInfo;
import dev.tandem.api.SessionWork;
import dev.tandem.cluster.SessionCluster;
import dev.tandem.cluster.SharedCaches;
import dev.tandem.config.BuildVersion;
import dev.tandem.config.NodeConfig;
import dev.tandem.dashboard.DashboardResource;
import dev.tandem.dashboard.StatusBoard;
import dev.tandem.dashboard.StatusPublisher;
import dev.tandem.events.Events;
import dev.tandem.events.InfinispanEventStore;
import dev.tandem.lifecycle.DrainSequence;
import dev.tandem.lifecycle.ListeningAddress;
import dev.tandem.lifecycle.Readiness;
import dev.tandem.lifecycle.Warmup;
import dev.tandem.overload.LimitAgent;
import dev.tandem.server.Metrics;
import dev.tandem.server.SessionHandlers;
import dev.tandem.server.TandemServer;
import dev.tandem.web.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** One Tandem node, wired in one place: cluster, sessions, API, server and the drain that stops them. */
public final class TandemNode {
    private static final Logger LOG = LoggerFactory.getLogger(TandemNode.class);

    private final NodeConfig config;
    private final SessionCluster cluster;
    private final Readiness readiness = new Readiness();
    private final PrometheusMeterRegistry metrics;
    private final DrainSequence drain;
    private final SessionWork sessionWork;
    private final Events events;
    private Server server;
    private StatusPublisher dashboard;

    public TandemNode(NodeConfig config) {
        // Jersey and JGroups log through java.util.logging; send that to SLF4J with the rest.
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        this.config = config;
        this.cluster = new SessionCluster(config);
        this.metrics = Metrics.registry(config.node());
        this.sessionWork = new SessionWork();
        // A session's events are kept as long as the session itself may live (and its expiry grace).
        this.events = new Events(config.node(), Json.newMapper(), config.sessionTimeout().plusMinutes(1),
                config.eventsWriteTimeout());
        this.drain = new DrainSequence(readiness, config.drainTime(), List.of(
                // After the drain window the balancer sends nothing new here: clients reconnect elsewhere.
                new DrainSequence.Step("ending long polls and event streams (clients reconnect elsewhere)", events::drain),
                new DrainSequence.Step("stopping HTTP (in-flight requests finish)", this::stopServer),
                new DrainSequence.Step("telling the lab dashboard this node stopped", this::stopDashboard),
                new DrainSequence.Step("leaving the cluster", () -> cluster.leave(config.stopTimeout()))));
    }

    /** Joins the cluster, then serves. Failing here leaves nothing running. */
    public void start() throws Exception {
        try {
            cluster.start();
            Metrics.bindCluster(metrics, cluster);
            events.start(new InfinispanEventStore(cluster.cache().getCacheManager().getCache(SharedCaches.EVENTS)),
                    config.clustered(), metrics);
            ObjectMapper mapper = Json.newMapper();
            NodeInfo info = new NodeInfo(config.node(), BuildVersion.current(), Instant.now());
            StatusBoard board = StatusBoard.of(cluster, mapper);
            ApiApplication.Dependencies api = new ApiApplication.Dependencies(info, cluster, readiness, drain, metrics,
                    mapper, sessionWork, cluster::localSessionCount, events.sessionChanges(),
                    List.of(events.api(sessionWork, cluster), DashboardResource.module(info, cluster, board)));
            server = TandemServer.create(config, SessionHandlers.create(config, cluster, metrics), api, metrics);
            server.start();
            Warmup.announce(config, readiness);
            // Before the warm-up: the dashboard shows the node warming up, and its own cache writes are compiled by the end of it.
            dashboard = StatusPublisher.start(board, info, uri(), new Health(readiness, cluster), cluster, metrics);
            // Ready only once the request paths are compiled: a cold node serves a few percent of its speed.
            Warmup.forNode(ListeningAddress.of(server), config, cluster).run();
            readiness.serving();
            LOG.info("node {} (tandem {}) listening on {}", config.node(), info.version(), uri());
        } catch (Exception | Error e) {
            stopDashboard();
            stopServer();
            events.close();
            cluster.close();
            throw e;
        }
    }

    /** Jetty's own answer: scheme, the bound host as configured (0.0.0.0 stays), the real port, the context path "/". */
    public URI uri() {
        return server.getURI();
    }

    /** The port HAProxy's agent check reads this node's request limit on; -1 without one. */
    public int agentPort() {
        return Arrays.stream(server.getConnectors())
                .filter(c -> LimitAgent.NAME.equals(c.getName()) && c instanceof NetworkConnector)
                .mapToInt(c -> ((NetworkConnector) c).getLocalPort()).findFirst().orElse(-1);
    }

    /** Starts the drain; see {@link DrainSequence}. */
    public boolean drain(String reason) {
        return drain.drain(reason);
    }

    /** Completes with the exit code once a drain has finished. */
    public CompletableFuture<Integer> stopped() {
        return drain.done();
    }

    public Readiness readiness() {
        return readiness;
    }

    /** The node's Jetty server (null before {@link #start}). */
    public Server server() {
        return server;
    }

    public SessionCluster cluster() {
        return cluster;
    }

    public NodeConfig config() {
        return config;
    }

    private void stopDashboard() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    private void stopServer() throws Exception {
        if (server != null && !server.isStopped()) {
            server.stop();
        }
        events.close();
    }
}
