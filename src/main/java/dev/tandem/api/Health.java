package dev.tandem.api;

import dev.tandem.cluster.ClusterView;
import dev.tandem.lifecycle.Readiness;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Liveness (the process answers) apart from readiness (send me traffic): the answers, for the
 * balancer's checks ({@link HealthServlet}) and the lab dashboard's status alike.
 */
public final class Health {
    /** An answer: its HTTP status and its JSON body. */
    public record Answer(int status, Map<String, Object> body) {}

    private final Readiness readiness;
    private final ClusterView cluster;

    public Health(Readiness readiness, ClusterView cluster) {
        this.readiness = readiness;
        this.cluster = cluster;
    }

    /** Serving, with the cluster in a state to serve sessions: 200; otherwise 503 with the reason, when there is one. */
    public Answer ready() {
        Readiness.State state = readiness.state();
        Optional<String> problem = state == Readiness.State.SERVING ? cluster.notReadyReason() : readiness.startingReason();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", state.name().toLowerCase());
        boolean ready = state == Readiness.State.SERVING && problem.isEmpty();
        body.put("status", ready ? "ready" : "not_ready");
        problem.ifPresent(reason -> body.put("reason", reason));
        body.put("members", cluster.members().size());
        return new Answer(ready ? 200 : 503, body);
    }
}
