package dev.tandem.app;

import dev.tandem.api.ApiApplication;
import dev.tandem.api.ApiServlet;
import dev.tandem.api.Health;
import dev.tandem.api.HealthServlet;
import dev.tandem.config.NodeConfig;
import dev.tandem.session.ClusterSessionHandler;
import dev.tandem.session.SessionLayer;
import dev.tandem.web.ApiFilters;
import dev.tandem.web.SessionCapacity;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.util.EnumSet;

/**
 * The application on a servlet context, the one code path for the fat jar's Jetty and a WAR in a
 * Jetty distribution: the filters in their order, then the JAX-RS API, from one validated config.
 */
public final class ApiWiring {
    private ApiWiring() {}

    public static void install(ServletContext ctx, NodeConfig config, ApiApplication.Dependencies api) {
        ApiFilters.SessionRules sessions = new ApiFilters.SessionRules(
                // The session's periodic access-time write follows the same rule as the session store's.
                SessionLayer.savePeriod(config.sessionTimeout()),
                config.sessionLimits().absoluteLifetime(),
                SessionLayer.READ_ONLY_PATHS,
                new SessionCapacity(api.sessionCount(), config.sessionLimits().maxSessions()));
        for (ApiFilters.Named f : ApiFilters.inOrder(config.node(), api.metrics(), api.mapper(), sessions)) {
            FilterRegistration.Dynamic reg = ctx.addFilter(f.name(), f.filter());
            // Every filter in front of an asynchronous servlet must allow async too.
            reg.setAsyncSupported(true);
            reg.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        }
        // GETs of a session read it together, except those that would write it (see ClusterSessionHandler).
        ctx.setAttribute(ClusterSessionHandler.WRITES_DUE, ApiFilters.writesDue(sessions));
        // The balancers' checks, beside the API rather than through it (see HealthServlet).
        ServletRegistration.Dynamic health = ctx.addServlet("health",
                new HealthServlet(new Health(api.readiness(), api.cluster()), api.mapper()));
        health.addMapping(HealthServlet.MAPPING);
        ServletRegistration.Dynamic servlet = ctx.addServlet("api", new ApiServlet(ApiApplication.create(api)));
        servlet.addMapping("/*");
        // Without it Jersey would park the request thread until a CompletionStage completes.
        servlet.setAsyncSupported(true);
        servlet.setLoadOnStartup(1);
        // Session timeout in whole minutes, rounded up (the servlet API's unit).
        ctx.setSessionTimeout((int) Math.max(1, (config.sessionTimeout().toSeconds() + 59) / 60));
    }

    /** The same, as a listener for a context the jar builds itself. */
    public static ServletContextListener listener(NodeConfig config, ApiApplication.Dependencies api) {
        return new ServletContextListener() {
            @Override
            public void contextInitialized(ServletContextEvent event) {
                install(event.getServletContext(), config, api);
            }
        };
    }
}
