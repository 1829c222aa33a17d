package dev.tandem.war;

import dev.tandem.cluster.ClusterView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The cluster as a WAR node's webapp sees it: the server-side session layer (etc/tandem-sessions.xml)
 * hands it over as JDK types in a context attribute (webapps/ROOT.xml), since Jetty hides its own
 * and Infinispan's classes from webapps.
 */
final class LayerClusterView implements ClusterView {
    static final String ATTRIBUTE = "dev.tandem.session.layer";

    private final Supplier<Optional<String>> readiness;
    private final Supplier<List<String>> members;
    private final Runnable stopServer;

    @SuppressWarnings("unchecked")
    LayerClusterView(Object attribute) {
        if (!(attribute instanceof Map<?, ?> view)) {
            throw new IllegalStateException("context attribute " + ATTRIBUTE
                    + " is missing: deploy through the jetty-base's webapps/ROOT.xml (bin/tandem-jetty-base)");
        }
        this.readiness = (Supplier<Optional<String>>) view.get("readiness");
        this.members = (Supplier<List<String>>) view.get("members");
        this.stopServer = (Runnable) view.get("stop");
    }

    @Override
    public List<String> members() {
        return members.get();
    }

    @Override
    public Optional<String> notReadyReason() {
        return readiness.get();
    }

    @Override
    public boolean clustered() {
        return true;
    }

    /** Stops Jetty gracefully; the session layer then leaves the cluster in order. */
    void stopServer() {
        stopServer.run();
    }
}
