package dev.tandem.server;

import dev.tandem.cluster.SessionCluster;
import dev.tandem.config.NodeConfig;
import dev.tandem.session.SessionLayer;
import dev.tandem.session.StoreObserver;
import dev.tandem.web.RandomSessionIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.SessionTrackingMode;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DefaultSessionIdManager;

/** A jar node's session handling: the shared session layer, with cookie settings and metrics. */
public final class SessionHandlers {
    private SessionHandlers() {}

    /**
     * One id manager per server; its worker name is the suffix HAProxy routes on. Ids are random
     * as a whole (RandomSessionIds), not Jetty's worker name + random + counter.
     */
    public static DefaultSessionIdManager idManager(Server server, NodeConfig config) {
        DefaultSessionIdManager ids = new RandomSessionIds(server);
        // Stable per node (jetty #4520): the suffix "<id>.<node>" is how HAProxy finds the node.
        ids.setWorkerName(config.node());
        server.addBean(ids, true);
        return ids;
    }

    /** See SessionLayer#savePeriod: the same rule for the jar and the WAR. */
    public static Duration savePeriod(NodeConfig config) {
        return SessionLayer.savePeriod(config.sessionTimeout());
    }

    public static SessionHandler create(NodeConfig config, SessionCluster cluster, MeterRegistry registry) {
        SessionHandler handler = cluster.layer().newHandler(config.sessionTimeout(), metered(registry));
        // Script cannot read the session cookie.
        handler.setHttpOnly(true);
        // Cross-site subrequests do not carry the session.
        handler.setSameSite(HttpCookie.SameSite.LAX);
        // Secure flag whenever the client used TLS (directly or per X-Forwarded-Proto from a trusted proxy).
        handler.setSecureRequestOnly(true);
        // Cookies only: ;jsessionid= in URLs leaks ids into logs and referers.
        handler.setSessionTrackingModes(Set.of(SessionTrackingMode.COOKIE));
        handler.setUsingUriParameters(false);

        Metrics.bindSessions(registry, cluster::localSessionCount);
        return handler;
    }

    /** The session store's timings and refusals as Micrometer meters. */
    private static StoreObserver metered(MeterRegistry registry) {
        Map<String, Timer> timers = Map.of("load", timer(registry, "load"), "store", timer(registry, "store"),
                "delete", timer(registry, "delete"), "lock", timer(registry, "lock"), "share", timer(registry, "share"));
        Counter refused = Counter.builder("tandem.session.writes.refused")
                .description("Session writes refused by the fence (the entry changed since it was read, or the lock was held too long)")
                .register(registry);
        return new StoreObserver() {
            @Override
            public void timed(String op, long nanos) {
                timers.get(op).record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void refused() {
                refused.increment();
            }
        };
    }

    private static Timer timer(MeterRegistry registry, String op) {
        return Timer.builder("tandem.session.store")
                .description("Session store operations against Infinispan, and waits for a session's lock (op=lock) or a share of it (op=share)")
                .tag("op", op)
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }
}
