package dev.tandem.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.errors.ApiExceptionMapper;
import dev.tandem.api.errors.ClientDisconnects;
import dev.tandem.api.errors.JsonExceptionMapper;
import dev.tandem.api.errors.SessionCapacityMapper;
import dev.tandem.api.errors.SessionUnavailableMapper;
import dev.tandem.api.errors.UnexpectedExceptionMapper;
import dev.tandem.api.errors.WebApplicationExceptionMapper;
import dev.tandem.cluster.ClusterView;
import dev.tandem.lifecycle.Drainer;
import dev.tandem.lifecycle.Readiness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.IntSupplier;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/** The JAX-RS application: every resource built here with what it needs, for the jar and the WAR alike. */
public final class ApiApplication {
    /**
     * Jersey warns that resource *instances* "will be ignored" although they are served
     * (jersey#3700, cosmetic); held here so the level setting is not garbage-collected.
     */
    private static final java.util.logging.Logger JERSEY_PROVIDERS =
            java.util.logging.Logger.getLogger("org.glassfish.jersey.internal.inject.Providers");

    /** Jersey reports a client that hung up mid-response (a balancer's health check) as SEVERE. */
    private static final java.util.logging.Logger JERSEY_RESPONDER =
            java.util.logging.Logger.getLogger("org.glassfish.jersey.server.ServerRuntime$Responder");

    /** Answers up to this many bytes get a Content-Length; longer ones are sent chunked. */
    static final int CONTENT_LENGTH_BUFFER = 2048;

    private ApiApplication() {}

    /**
     * @param sessionCount   the sessions this node holds (its session cache), for the session cap
     * @param sessionChanges where the session resources announce their changes (the real-time API)
     * @param modules        the parts of the API built outside this package (the real-time API, the lab dashboard)
     */
    public record Dependencies(NodeInfo node, ClusterView cluster, Readiness readiness, Drainer drainer,
                               PrometheusMeterRegistry metrics, ObjectMapper mapper, SessionWork sessionWork,
                               IntSupplier sessionCount, SessionChanges sessionChanges, List<ApiModule> modules) {
        public Dependencies {
            modules = List.copyOf(modules);
        }
    }

    public static ResourceConfig create(Dependencies d) {
        JERSEY_PROVIDERS.setLevel(java.util.logging.Level.SEVERE);
        JERSEY_RESPONDER.setFilter(record -> !ClientDisconnects.causedBy(record.getThrown()));
        ResourceConfig rc = new ResourceConfig();
        rc.register(new NodeResource(d.node(), d.cluster()));
        rc.register(new SessionResource(d.node(), d.mapper(), d.sessionWork(), d.sessionChanges()));
        rc.register(new AuthResource(d.node(), d.sessionWork(), d.sessionChanges()));
        rc.register(new CartResource(d.node(), d.sessionWork(), d.sessionChanges()));
        rc.register(new MetricsResource(d.metrics()));
        rc.register(new MatchedRoute());
        rc.register(new AdminResource(d.drainer()));
        d.modules().forEach(m -> m.register(rc));

        // Our mappers, not Jackson's: every error body is {error, message, requestId}.
        rc.register(JacksonFeature.withoutExceptionMappers());
        rc.register(new MapperResolver(d.mapper()));
        rc.register(ApiExceptionMapper.class);
        rc.register(JsonExceptionMapper.class);
        rc.register(WebApplicationExceptionMapper.class);
        rc.register(UnexpectedExceptionMapper.class);
        rc.register(SessionUnavailableMapper.class);
        rc.register(SessionCapacityMapper.class);
        // A session change is stored (or refused, 503) before the answer that says it happened.
        rc.register(SessionFlushFilter.class);

        // No WADL, and error responses are ours rather than the container's.
        rc.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        rc.property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        // Jersey buffers each answer to give it a Content-Length, in a new 8 KiB array per response (a
        // quarter of a GET /api/node's allocation); our JSON answers are under 1 KiB, larger ones go chunked.
        rc.property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, CONTENT_LENGTH_BUFFER);
        return rc;
    }
}
