package dev.tandem.session;

import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real, local Infinispan cache for session locks, and a view gate over it that never waits;
 * registered as a test's extension ({@code @RegisterExtension}) it stops after each test.
 */
final class LocalLockCache implements AutoCloseable, AfterEachCallback {
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

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }
}
