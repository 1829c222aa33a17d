package dev.tandem.lab;

import dev.tandem.testing.FreePorts;
import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.Requirements;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

/**
 * A real HAProxy (the template, rendered with low limits) at {@code net}.10 in front of one real
 * node at {@code net}.11, in a temp dir; closing it stops both and removes the dir.
 */
final class OneNodeEdge implements AutoCloseable {
    /** Requests a second one client address may send (the product's default is 200). */
    static final int REQ_RATE = 20;
    /** New sessions a minute one client address may get (the product's default is 30). */
    static final int SESSION_RATE = 5;
    final Edge edge;
    private final Path dir;
    private final NodeProcess node;

    private OneNodeEdge(Path dir, NodeProcess node, Edge edge) {
        this.dir = dir;
        this.node = node;
        this.edge = edge;
    }

    static OneNodeEdge start(String net) throws Exception {
        Requirements.command("haproxy");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "tedge");
        NodeProcess node = null;
        try {
            String host = net + ".11";
            node = NodeProcess.start("n1", dir, "--node", "n1", "--host", host, "--port", Integer.toString(FreePorts.httpPort(host)));
            URI n1 = node.awaitListening(Duration.ofSeconds(90));
            return new OneNodeEdge(dir, node, new Edge(dir, net + ".10", Map.of("n1", n1.getHost() + ":" + n1.getPort()),
                    "--req-rate", Integer.toString(REQ_RATE), "--session-rate", Integer.toString(SESSION_RATE)));
        } catch (Exception | Error e) {
            new OneNodeEdge(dir, node, null).close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (edge != null) {
                edge.close();
            }
        } finally {
            if (node != null) {
                node.close();
            }
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
