package dev.tandem.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.eclipse.jetty.session.infinispan.InfinispanSessionDataStore;

/**
 * Jetty's Infinispan store, timed, and with entries that expire by themselves: without a query
 * manager Jetty never finds expired sessions in Infinispan (jetty #2140), so each write carries a
 * lifespan of the session timeout plus a grace period and Infinispan reaps them.
 */
final class MeteredSessionDataStore extends InfinispanSessionDataStore {
    private final Timer loads;
    private final Timer stores;
    private final Timer deletes;
    private final long graceMs;

    MeteredSessionDataStore(MeterRegistry registry, Duration grace) {
        this.loads = timer(registry, "load");
        this.stores = timer(registry, "store");
        this.deletes = timer(registry, "delete");
        this.graceMs = grace.toMillis();
    }

    private static Timer timer(MeterRegistry registry, String op) {
        return Timer.builder("tandem.session.store")
                .description("Session store operations against Infinispan")
                .tag("op", op)
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /**
     * Always: the cache stores marshalled entries, so attributes must travel as bytes. (Jetty only
     * turns this on for embedded caches when the Hot Rod client happens to be on the classpath.)
     */
    @Override
    public boolean isPassivating() {
        return true;
    }

    @Override
    public SessionData doLoad(String id) throws Exception {
        return loads.recordCallable(() -> super.doLoad(id));
    }

    @Override
    public void doStore(String id, SessionData data, long lastSaveTime) throws Exception {
        stores.recordCallable(() -> {
            InfinispanSessionData sd = (InfinispanSessionData) data;
            sd.serializeAttributes();
            if (data.getMaxInactiveMs() > 0) {
                getCache().put(getCacheKey(id), sd, data.getMaxInactiveMs() + graceMs, TimeUnit.MILLISECONDS);
            } else {
                getCache().put(getCacheKey(id), sd);
            }
            return null;
        });
    }

    @Override
    public boolean delete(String id) throws Exception {
        return deletes.recordCallable(() -> super.delete(id));
    }
}
