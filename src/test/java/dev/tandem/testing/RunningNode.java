package dev.tandem.testing;

import dev.tandem.TandemNode;
import dev.tandem.config.NodeConfig;
import dev.tandem.session.SessionSerialFilter;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** A real node started in this JVM on a free port; closing it drains and stops it. */
public final class RunningNode implements AutoCloseable {
    private final TandemNode node;
    private final URI uri;

    private RunningNode(TandemNode node) {
        this.node = node;
        this.uri = URI.create(node.uri().toString().replace("0.0.0.0", "127.0.0.1"));
    }

    public static RunningNode start(NodeConfig config) {
        SessionSerialFilter.install(config.sessionClasses());
        TandemNode node = new TandemNode(config);
        try {
            node.start();
        } catch (Exception e) {
            throw new IllegalStateException("node " + config.node() + " failed to start", e);
        }
        return new RunningNode(node);
    }

    public static RunningNode standalone(String name) {
        return start(NodeConfig.standalone(name));
    }

    public URI uri() {
        return uri;
    }

    public TandemNode node() {
        return node;
    }

    public String name() {
        return node.config().node();
    }

    /** A client of this node with its own cookie. */
    public TestHttp client() {
        return new TestHttp(uri);
    }

    @Override
    public void close() {
        node.drain("test finished");
        try {
            node.stopped().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node " + name() + " did not stop", e);
        }
    }
}
