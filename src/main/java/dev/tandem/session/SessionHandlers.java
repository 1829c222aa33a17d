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
import org.eclipse.jetty.session.NullSessionCache;

/** Builds the Jetty session handling of a node on top of the Infinispan session cache. */
public final class SessionHandlers {
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

    public static SessionHandler create(NodeConfig config, SessionCluster cluster, MeterRegistry registry) {
        SessionHandler handler = new SessionHandler();

        MeteredSessionDataStore store = new MeteredSessionDataStore(registry, EXPIRY_GRACE);
        store.setCache(cluster.cache());
        // Attributes travel as one serialized blob through Jetty's ProtoStream marshaller.
        store.setSerialization(true);
        // Access-time-only writes at most once per save period, and (with SessionTouchFilter)
        // always before the response: a write after the response could undo a newer one.
        store.setSavePeriodSec((int) savePeriod(config).toSeconds());

        // No per-node copy: every request loads the latest acknowledged state, whichever node
        // wrote it, so failover and fail-back never see a stale cached session.
        NullSessionCache cache = new NullSessionCache(handler);
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
