package dev.tandem.cluster;

import dev.tandem.config.NodeConfig;
import dev.tandem.session.SessionLayer;
import dev.tandem.transport.ClusterCacheManagers;
import java.net.URL;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.infinispan.InfinispanSerializationContextInitializer;
import org.infinispan.commons.dataconversion.MediaType;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;

/** Builds the (unstarted) Infinispan cache manager for a node: clustered with peers, local without. */
final class CacheManagers {
    static final String SESSION_CACHE = SessionLayer.SESSION_CACHE;
    static final String LOCK_CACHE = SessionLayer.LOCK_CACHE;
    static final String CLUSTER_CONFIG = "/dev/tandem/cluster/tandem-infinispan.xml";

    private CacheManagers() {}

    static EmbeddedCacheManager create(NodeConfig config) {
        return config.clustered() ? clustered(config) : local(config);
    }

    /** The values that fill the placeholders of tandem-infinispan.xml (WAR nodes use -D properties). */
    static Properties placeholders(NodeConfig config) {
        Properties p = new Properties();
        p.setProperty("tandem.node", config.node());
        p.setProperty("tandem.jmx.domain", "org.infinispan.tandem." + config.node());
        p.setProperty("tandem.cluster.name", config.clusterName());
        p.setProperty("tandem.cluster.host", config.clusterHost());
        p.setProperty("tandem.cluster.port", Integer.toString(config.clusterPort()));
        p.setProperty("tandem.cluster.peers", config.jgroupsInitialHosts());
        return p;
    }

    private static EmbeddedCacheManager clustered(NodeConfig config) {
        URL xml = CacheManagers.class.getResource(CLUSTER_CONFIG);
        return ClusterCacheManagers.create(xml, placeholders(config), config.transportSecurity());
    }

    /** Alone, a node keeps sessions in a local cache stored the same way as the clustered one. */
    private static EmbeddedCacheManager local(NodeConfig config) {
        GlobalConfigurationBuilder global = new GlobalConfigurationBuilder().nonClusteredDefault();
        global.cacheContainer().name("tandem").statistics(true);
        global.serialization().addContextInitializer(new InfinispanSerializationContextInitializer());
        global.defaultCacheName(SESSION_CACHE);
        ConfigurationBuilder cache = new ConfigurationBuilder();
        cache.statistics().enable();
        cache.encoding().mediaType(MediaType.APPLICATION_PROTOSTREAM_TYPE);
        cache.expiration().wakeUpInterval(30, TimeUnit.SECONDS);
        DefaultCacheManager manager = new DefaultCacheManager(global.build(), false);
        manager.defineConfiguration(SESSION_CACHE, cache.build());
        manager.defineConfiguration(LOCK_CACHE, new ConfigurationBuilder().build());
        // Events expire per entry (lifespan); reap them as the session cache does.
        ConfigurationBuilder events = new ConfigurationBuilder();
        events.expiration().wakeUpInterval(30, TimeUnit.SECONDS);
        manager.defineConfiguration(SharedCaches.EVENTS, events.build());
        // The lab dashboard's board; alone, the node's own record and events are all it holds.
        manager.defineConfiguration(SharedCaches.BOARD, new ConfigurationBuilder().build());
        return manager;
    }
}
