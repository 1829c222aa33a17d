package dev.tandem.cluster;

import dev.tandem.config.NodeConfig;
import dev.tandem.session.SessionLayer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A jar node's membership in the session cluster: builds the cache manager from the node's
 * options and runs the session layer on it (the part WAR nodes share).
 */
public final class SessionCluster implements ClusterView, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionCluster.class);

    private final NodeConfig config;
    private final EmbeddedCacheManager manager;
    private final SessionLayer layer;

    public SessionCluster(NodeConfig config) {
        this.config = config;
        this.manager = CacheManagers.create(config);
        this.layer = new SessionLayer(manager, config.node(), config.clustered() ? config.peers().size() : 0);
    }

    /** Joins the cluster (bounded by JGroups' join timeout) and starts the session caches. */
    public void start() throws Exception {
        manager.start();
        manager.addListener(new ViewLogger());
        layer.start();
        if (config.clustered()) {
            LOG.info("joined cluster '{}' as {} at {}:{} with peers {}; members {}", config.clusterName(),
                    config.node(), config.clusterHost(), config.clusterPort(), config.peers(), manager.getMembers());
        } else {
            LOG.info("standalone: sessions in a local cache (no --peers given)");
        }
    }

    public SessionLayer layer() {
        return layer;
    }

    public Cache<String, InfinispanSessionData> cache() {
        return layer.sessions();
    }

    @Override
    public boolean clustered() {
        return config.clustered();
    }

    @Override
    public List<String> members() {
        return layer.members();
    }

    public int localSessionCount() {
        return layer.localSessionCount();
    }

    @Override
    public Optional<String> notReadyReason() {
        return layer.notReadyReason();
    }

    /** Leaves once this node's sessions are safe on the others; see SessionLayer#leave. */
    public void leave(Duration budget) {
        layer.leave(budget);
    }

    @Override
    public void close() {
        layer.close();
    }
}
