package dev.tandem.lab;

import dev.tandem.testing.FreePorts;
import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.Requirements;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.util.IO;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HAProxy (the template) at {@code net}.10 in front of one real node at {@code net}.11, in a
 * temp dir: started before the class's tests, stopped and removed after them (also when the start
 * fails half-way). Register it as a static extension.
 */
final class OneNodeEdge implements BeforeAllCallback, AfterAllCallback {
    /** Low limits, for the tests of the limits: requests a second one client address may send (the product's default is 200). */
    static final int REQ_RATE = 20;
    /** New sessions a minute one client address may get (the product's default is 30). */
    static final int SESSION_RATE = 5;
    private final String net;
    private final String[] renderArgs;
    private Path dir;
    private NodeProcess node;
    private URI nodeUri;
    private Edge edge;

    /** With the template's default limits, or the given render-haproxy.sh options. */
    OneNodeEdge(String net, String... renderArgs) {
        this.net = net;
        this.renderArgs = renderArgs.clone();
    }

    /** With {@link #REQ_RATE} and {@link #SESSION_RATE}. */
    static OneNodeEdge withLowLimits(String net) {
        return new OneNodeEdge(net, "--req-rate", Integer.toString(REQ_RATE), "--session-rate", Integer.toString(SESSION_RATE));
    }

    Edge edge() {
        return edge;
    }

    /** The node itself, past HAProxy. */
    URI node() {
        return nodeUri;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Requirements.command("haproxy");
        dir = Files.createTempDirectory(Path.of("/tmp"), "tedge");
        String host = net + ".11";
        node = NodeProcess.start("n1", dir, "--node", "n1", "--host", host, "--port", Integer.toString(FreePorts.httpPort(host)));
        nodeUri = node.awaitListening(Duration.ofSeconds(90));
        edge = new Edge(dir, net + ".10", Map.of("n1", nodeUri.getHost() + ":" + nodeUri.getPort()), renderArgs);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (edge != null) {
                edge.close();
            }
        } finally {
            if (node != null) {
                node.close();
            }
            if (dir != null) {
                IO.delete(dir);
            }
        }
    }
}
