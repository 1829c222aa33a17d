package dev.tandem.session;

import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;

/** A real, local Infinispan cache for session locks, and a view gate over it that never waits. */
final class LocalLockCache implements AutoCloseable {
    private final DefaultCacheManager manager;
    final Cache<String, String> cache;

    LocalLockCache() {
        manager = new DefaultCacheManager(new GlobalConfigurationBuilder().nonClusteredDefault().build());
        manager.defineConfiguration("locks", new ConfigurationBuilder().build());
        cache = manager.getCache("locks");
    }

    ViewGate gate() {
        return new ViewGate(manager, cache, 0);
    }

    @Override
    public void close() {
        manager.stop();
    }
}
