package dev.tandem.server;

import dev.tandem.cluster.ClusterView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.IntSupplier;

/** The node's metrics registry: JVM basics plus what Tandem adds (requests, sessions, store, cluster). */
public final class Metrics {
    private Metrics() {}

    public static PrometheusMeterRegistry registry(String node) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("node", node);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /** The sessions this node holds in the replicated session cache (jar and WAR alike). */
    public static void bindSessions(MeterRegistry registry, IntSupplier sessions) {
        Gauge.builder("tandem.sessions.active", sessions, IntSupplier::getAsInt)
                .description("Sessions held in the replicated session cache")
                // The supplier is often a method reference nothing else holds: a weakly held one
                // (Micrometer's default) is collected at the next GC and the gauge turns NaN.
                .strongReference(true)
                .register(registry);
    }

    public static void bindCluster(PrometheusMeterRegistry registry, ClusterView cluster) {
        Gauge.builder("tandem.cluster.members", cluster, c -> c.members().size())
                .description("Cluster members this node sees, itself included")
                .register(registry);
    }
}
