package dev.tandem.war;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.ApiApplication;
import dev.tandem.api.NodeInfo;
import dev.tandem.api.SessionWork;
import dev.tandem.config.BuildVersion;
import dev.tandem.lifecycle.DrainSequence;
import dev.tandem.lifecycle.Readiness;
import dev.tandem.server.Metrics;
import dev.tandem.session.SessionLayer;
import dev.tandem.web.ApiFilters;
import dev.tandem.web.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.glassfish.jersey.servlet.ServletContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the same API, filters and metrics as the fat jar when Tandem runs as a WAR in a Jetty
 * distribution. Sessions, cluster and the serial filter are the jetty-base's (modules/tandem.mod).
 */
public final class TandemWebListener implements ServletContextListener {
    private static final Logger LOG = LoggerFactory.getLogger(TandemWebListener.class);
    private SessionWork sessionWork;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext ctx = event.getServletContext();
        String node = setting(ctx, "tandem.node", "node");
        Duration drainTime = Duration.ofSeconds(Long.parseLong(setting(ctx, "tandem.drain.seconds", "3")));
        int timeoutSeconds = Integer.parseInt(setting(ctx, "tandem.session.timeout.seconds", "1800"));
        // The jar's rule (SessionLayer.savePeriod), so both write the access time equally often.
        Duration savePeriod = SessionLayer.savePeriod(Duration.ofSeconds(timeoutSeconds));
        ctx.setSessionTimeout(Math.max(1, (timeoutSeconds + 59) / 60));

        Readiness readiness = new Readiness();
        LayerClusterView cluster = new LayerClusterView(ctx.getAttribute(LayerClusterView.ATTRIBUTE));
        PrometheusMeterRegistry metrics = Metrics.registry(node);
        Metrics.bindCluster(metrics, cluster);
        ObjectMapper mapper = Json.newMapper();
        // After the drain window (the balancer sends nothing new), stop Jetty gracefully: in-flight
        // requests finish, then the session layer (a server bean) leaves the cluster in order.
        DrainSequence drain = new DrainSequence(readiness, drainTime, List.of(
                new DrainSequence.Step("stopping Jetty (in-flight requests finish, then the node leaves the cluster)",
                        cluster::stopServer)));
        NodeInfo info = new NodeInfo(node, BuildVersion.current(), Instant.now());
        sessionWork = new SessionWork(200, 1000, metrics);

        for (ApiFilters.Named f : ApiFilters.inOrder(node, metrics, mapper, savePeriod)) {
            addFilter(ctx, f.name(), f.filter());
        }
        ServletRegistration.Dynamic api = ctx.addServlet("api",
                new ServletContainer(ApiApplication.create(new ApiApplication.Dependencies(info, cluster, readiness, drain, metrics, mapper, sessionWork))));
        api.addMapping("/*");
        // Without it Jersey would park the request thread until a CompletionStage completes.
        api.setAsyncSupported(true);
        api.setLoadOnStartup(1);
        readiness.serving();
        LOG.info("node {} (tandem {}) deployed as a WAR", node, info.version());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (sessionWork != null) {
            sessionWork.close();
        }
    }

    private static void addFilter(ServletContext ctx, String name, Filter filter) {
        FilterRegistration.Dynamic reg = ctx.addFilter(name, filter);
        reg.setAsyncSupported(true);
        reg.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    }

    /** A -D system property (set by the jetty-base) wins over the web.xml context parameter. */
    private static String setting(ServletContext ctx, String key, String fallback) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            value = ctx.getInitParameter(key);
        }
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
