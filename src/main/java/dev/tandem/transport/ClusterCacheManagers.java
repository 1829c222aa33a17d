package dev.tandem.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Properties;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.configuration.parsing.ParserRegistry;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a clustered cache manager is made, for jar and WAR nodes: tandem-infinispan.xml
 * with the node's placeholders, and the sockets its transport security gives JGroups.
 */
public final class ClusterCacheManagers {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCacheManagers.class);

    private ClusterCacheManagers() {}

    /** Parsed, not started: the caller starts it (the jar's SessionCluster, or Jetty for a WAR node). */
    public static DefaultCacheManager create(URL xml, Properties placeholders, TransportSecurity security) {
        if (security instanceof TransportSecurity.Insecure) {
            LOG.warn(security.describe());
        } else {
            LOG.info(security.describe());
        }
        ParserRegistry parser = new ParserRegistry(ClusterCacheManagers.class.getClassLoader(), false, placeholders);
        try {
            ConfigurationBuilderHolder holder = parser.parse(xml);
            security.socketFactory().ifPresent(sockets -> holder.getGlobalConfigurationBuilder().transport()
                    .addProperty(JGroupsTransport.SOCKET_FACTORY, sockets));
            return new DefaultCacheManager(holder, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + xml, e);
        }
    }
}
