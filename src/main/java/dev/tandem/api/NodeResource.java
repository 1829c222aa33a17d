package dev.tandem.api;

import dev.tandem.cluster.ClusterView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

@Path("/api/node")
@Produces(MediaType.APPLICATION_JSON)
public final class NodeResource {
    private final NodeInfo node;
    private final ClusterView cluster;

    public NodeResource(NodeInfo node, ClusterView cluster) {
        this.node = node;
        this.cluster = cluster;
    }

    public record NodeView(String node, String version, long uptimeSeconds, boolean clustered, List<String> members) {}

    @GET
    public NodeView get() {
        return new NodeView(node.name(), node.version(), node.uptime().toSeconds(), cluster.clustered(), cluster.members());
    }
}
