package dev.tandem.testing;

import java.net.URI;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One standalone node for a whole test class, started before its first test and always stopped
 * after its last: {@code @RegisterExtension static final NodeExtension node = new NodeExtension("t1");}
 */
public final class NodeExtension implements BeforeAllCallback, AfterAllCallback {
    private final String name;
    private RunningNode running;

    public NodeExtension(String name) {
        this.name = name;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        running = RunningNode.standalone(name);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (running != null) {
            running.close();
        }
    }

    public RunningNode running() {
        return running;
    }

    public URI uri() {
        return running.uri();
    }

    public TestHttp client() {
        return running.client();
    }

    public dev.tandem.TandemNode node() {
        return running.node();
    }

    public String name() {
        return name;
    }
}
