package dev.tandem.api;

import dev.tandem.cluster.ClusterView;
import dev.tandem.lifecycle.Readiness;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Liveness (the process answers) apart from readiness (send me traffic). */
@Path("/health")
@Produces(MediaType.APPLICATION_JSON)
public final class HealthResource {
    private final Readiness readiness;
    private final ClusterView cluster;

    public HealthResource(Readiness readiness, ClusterView cluster) {
        this.readiness = readiness;
        this.cluster = cluster;
    }

    @GET
    @Path("live")
    public Map<String, String> live() {
        return Map.of("status", "live");
    }

    @GET
    @Path("ready")
    public Response ready() {
        Readiness.State state = readiness.state();
        Optional<String> clusterProblem = state == Readiness.State.SERVING ? cluster.notReadyReason() : Optional.empty();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", state.name().toLowerCase());
        boolean ready = state == Readiness.State.SERVING && clusterProblem.isEmpty();
        body.put("status", ready ? "ready" : "not_ready");
        clusterProblem.ifPresent(reason -> body.put("reason", reason));
        body.put("members", cluster.members().size());
        return Response.status(ready ? 200 : 503).entity(body).build();
    }
}
