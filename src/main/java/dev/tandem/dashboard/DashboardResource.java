package dev.tandem.dashboard;

import dev.tandem.api.ApiModule;
import dev.tandem.api.NodeInfo;
import dev.tandem.cluster.ClusterView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;

/**
 * The lab dashboard: the page and its files at {@code /lab/}, and {@code /lab/api/cluster}, which
 * any node answers for all nodes from the status board. HAProxy's part of the page comes from
 * HAProxy itself ({@code /lab/haproxy}, read-only, see haproxy/cfg/20-frontend.cfg.tmpl), never through a node.
 */
@Path("/lab")
public final class DashboardResource {
    private final NodeInfo node;
    private final ClusterView cluster;
    private final StatusBoard board;
    private final StaticFiles files;

    public DashboardResource(NodeInfo node, ClusterView cluster, StatusBoard board, StaticFiles files) {
        this.node = node;
        this.cluster = cluster;
        this.board = board;
        this.files = files;
    }

    /** The dashboard at {@code /lab/} as a part of the API (the page at / is the real-time demo's). */
    public static ApiModule module(NodeInfo node, ClusterView cluster, StatusBoard board) {
        return rc -> rc.register(new DashboardResource(node, cluster, board, new StaticFiles()));
    }

    @GET
    public Response page() {
        return files.serve("index.html");
    }

    @GET
    @Path("{file: dashboard\\.(js|css)}")
    public Response file(@PathParam("file") String file) {
        return files.serve(file);
    }

    @GET
    @Path("api/cluster")
    @Produces(MediaType.APPLICATION_JSON)
    public Response report() {
        long now = System.currentTimeMillis();
        List<String> view = List.copyOf(cluster.members());
        StatusBoard.Snapshot snap = board.snapshot();
        Set<String> members = Set.copyOf(view);
        List<ClusterReport.NodeView> nodes = snap.nodes().stream()
                .map(s -> ClusterReport.judge(s, now, members, cluster.clustered()))
                .toList();
        String note = board.available() ? null
                : "no status board on this node: it was wired without one";
        return Response.ok(new ClusterReport(node.name(), now, view, nodes, snap.events(), note))
                // Live data: never from a cache.
                .header("Cache-Control", "no-store")
                .build();
    }
}
