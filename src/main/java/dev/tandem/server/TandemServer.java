package dev.tandem.server;

import dev.tandem.app.ApiWiring;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.ApiApplication;
import dev.tandem.config.HeaderCache;
import dev.tandem.config.NodeConfig;
import dev.tandem.overload.LimitAgent;
import dev.tandem.overload.OverloadHandler;
import dev.tandem.overload.OverloadMetrics;
import dev.tandem.web.JsonErrorHandler;
import dev.tandem.web.TrustedProxyCustomizer;
import dev.tandem.web.UnreadBodiesHandler;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Builds the node's Jetty server, unstarted (the way Jetty's embedded examples do). */
public final class TandemServer {
    /** Request bodies above this are refused with 413 before anything reads them. */
    static final long MAX_REQUEST_BYTES = 64 * 1024;
    /** Headers above this are refused with 431 (Jetty's default is the same 8 KiB, said here on purpose). */
    static final int MAX_HEADER_BYTES = 8 * 1024;

    private TandemServer() {}

    public static Server create(NodeConfig config, SessionHandler sessions, ApiApplication.Dependencies api,
                                MeterRegistry registry) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("tandem-http");
        Server server = new Server(threads);
        // Graceful stop: in-flight requests get this long to finish; new ones get 503.
        server.setStopTimeout(config.stopTimeout().toMillis());
        // Signals drain the node (see Signals); Jetty's own shutdown hook would skip the drain window.
        server.setStopAtShutdown(false);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setHeaderCacheSize(HeaderCache.SIZE); // a cache HAProxy's shared connections only miss: see HeaderCache
        http.addCustomizer(new TrustedProxyCustomizer(config.trustedProxies()));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        // A burst of new connections waits briefly for the acceptor instead of having its SYNs dropped
        // (Java's default backlog is 50): a dropped SYN costs the client a 1 s, 3 s, 7 s retransmit, far
        // beyond the request budget (measured: 427 listen overflows in one direct overload run).
        // Linux caps it at net.core.somaxconn.
        connector.setAcceptQueueSize(1024);
        // Shorter than HAProxy's server timeout would be wrong; longer than its keep-alive is enough.
        connector.setIdleTimeout(60_000);
        server.addConnector(connector);
        if (config.overload().hasAgent()) {
            server.addConnector(LimitAgent.connector(server, config.host(), config.overload()));
        }

        SessionHandlers.idManager(server, config);
        ServletContextHandler context = new ServletContextHandler("/");
        context.setSessionHandler(sessions);
        ObjectMapper mapper = api.mapper();
        // Filters and API exactly as a WAR node gets them.
        context.addEventListener(ApiWiring.listener(config, api));
        context.setErrorHandler(new JsonErrorHandler(mapper, config.node()));

        SizeLimitHandler sizeLimit = new SizeLimitHandler(MAX_REQUEST_BYTES, -1);
        sizeLimit.setHandler(context);
        // The request budget (--max-requests, --queue-ms): excess waits briefly without a thread, then
        // gets 503 + Retry-After; inside the graceful handler so a stopping node still answers its own 503.
        OverloadHandler overload = new OverloadHandler(config.overload(), config.node());
        overload.setHandler(sizeLimit);
        OverloadMetrics.bind(registry, overload);
        // Outermost, so every answer written before its request's body arrived says Connection: close.
        server.setHandler(new UnreadBodiesHandler(new GracefulHandler(overload)));
        server.setErrorHandler(new JsonErrorHandler(mapper, config.node()));
        return server;
    }
}
