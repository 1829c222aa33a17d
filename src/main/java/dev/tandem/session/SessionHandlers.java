package dev.tandem.session;

import dev.tandem.cluster.SessionCluster;
import dev.tandem.config.NodeConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.SessionTrackingMode;
import java.time.Duration;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the Jetty session handling of a node on top of the Infinispan session cache. */
public final class SessionHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(SessionHandlers.class);
    /** How long an expired session's entry lingers in Infinispan before it is reaped. */
    static final Duration EXPIRY_GRACE = Duration.ofMinutes(1);

    private SessionHandlers() {}

    /** One id manager per server; its worker name is the suffix HAProxy routes on. */
    public static DefaultSessionIdManager idManager(Server server, NodeConfig config) {
        DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
        // Stable per node (jetty #4520): the suffix "<id>.<node>" is how HAProxy finds the node.
        ids.setWorkerName(config.node());
        server.addBean(ids, true);
        return ids;
    }

    /**
     * How stale the stored access time may get for a session that is only read: 30 s, or a quarter
     * of a short session timeout, so no node takes an active session for an expired one.
     */
    public static Duration savePeriod(NodeConfig config) {
        long quarter = config.sessionTimeout().toSeconds() / 4;
        return Duration.ofSeconds(Math.max(1, Math.min(30, quarter)));
    }

    /** How long a request waits for a session another request holds before it is answered 503. */
    static final Duration LOCK_WAIT = Duration.ofSeconds(3);
    /** A lock nobody gives back (its holder crashed and the view change was missed) lapses after this. */
    static final Duration LOCK_LEASE = Duration.ofSeconds(30);
    /** Requests here read the session without its lock and never write it. */
    static final List<String> READ_ONLY_PATHS = List.of("/health/", "/metrics", "/api/events");

    public static SessionHandler create(NodeConfig config, SessionCluster cluster, MeterRegistry registry) {
        SessionRequestScope scope = new SessionRequestScope(READ_ONLY_PATHS);
        ClusterSessionHandler handler = new ClusterSessionHandler(scope);

        SessionLocks locks = new SessionLocks(cluster.locks(), config.node(), LOCK_WAIT, LOCK_LEASE);
        // Locks of members that left (crashed, cut off, paused out of the view) go with them.
        cluster.onViewChange(members -> {
            int removed = locks.removeLocksHeldOutside(members);
            if (removed > 0) {
                LOG.info("removed {} session locks held by members that left", removed);
            }
        });
        SessionHolds holds = new SessionHolds();
        FencedSessionDataStore store = new FencedSessionDataStore(holds, cluster.fence(), registry, EXPIRY_GRACE);
        store.setCache(cluster.cache());
        // Attributes travel as one serialized blob through Jetty's ProtoStream marshaller.
        store.setSerialization(true);
        // Access-time-only writes at most once per save period, and (with SessionTouchFilter)
        // always before the response.
        store.setSavePeriodSec((int) savePeriod(config).toSeconds());

        // No per-node copy: every request loads the latest acknowledged state, whichever node
        // wrote it, under the session's lock, so failover and fail-back never see a stale copy.
        LockingSessionCache cache = new LockingSessionCache(handler, locks, holds, cluster.fence(), scope);
        cache.setSessionDataStore(store);
        // A new session is stored before the response that hands out its cookie.
        cache.setSaveOnCreate(true);
        // The response is sent only after the session write is stored (and replicated).
        cache.setFlushOnResponseCommit(true);
        // Data that cannot be read back (e.g. refused by the serial filter) is removed, not retried.
        cache.setRemoveUnloadableSessions(true);
        handler.setSessionCache(cache);

        handler.setMaxInactiveInterval((int) config.sessionTimeout().toSeconds());
        // Script cannot read the session cookie.
        handler.setHttpOnly(true);
        // Cross-site subrequests do not carry the session.
        handler.setSameSite(HttpCookie.SameSite.LAX);
        // Secure flag whenever the client used TLS (directly or per X-Forwarded-Proto from a trusted proxy).
        handler.setSecureRequestOnly(true);
        // Cookies only: ;jsessionid= in URLs leaks ids into logs and referers.
        handler.setSessionTrackingModes(Set.of(SessionTrackingMode.COOKIE));
        handler.setUsingUriParameters(false);

        Gauge.builder("tandem.sessions.active", cluster, SessionCluster::localSessionCount)
                .description("Sessions held in the replicated session cache")
                .register(registry);
        return handler;
    }
}
