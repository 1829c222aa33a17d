package dev.tandem.overload;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The node's side of HAProxy's agent check (server option {@code agent-check}): each connection
 * gets one line, {@code maxconn:N}, N being the node's request limit, and is closed. HAProxy sets
 * the server's maxconn from it, so the limit a node derives from its own machine is the balancer's
 * too, without the number being copied into HAProxy's configuration. A Jetty connector of the
 * node's server: it binds with the HTTP connector and stops with it.
 */
public final class LimitAgent {
    /** The connector's name. */
    public static final String NAME = "limit-agent";

    private LimitAgent() {}

    /** The agent's connector on {@code host}:{@code limits.agentPort()}, unstarted. */
    public static ServerConnector connector(Server server, String host, OverloadLimits limits) {
        ServerConnector agent = new ServerConnector(server, 0, 1, new Reply(limits.maxRequests()));
        agent.setName(NAME);
        agent.setHost(host);
        agent.setPort(limits.agentPort());
        // HAProxy reads the line and closes; a peer that does not is not kept long.
        agent.setIdleTimeout(5_000);
        return agent;
    }

    /**
     * For a WAR node's etc/tandem-overload.xml: adds the agent for {@code overload}'s limit when
     * {@code port} (-Dtandem.agent.port) is given.
     */
    public static void addTo(Server server, String host, String port, OverloadHandler overload) {
        if (port == null || port.isBlank()) {
            return;
        }
        server.addConnector(connector(server, host == null || host.isBlank() ? null : host,
                overload.limits().withAgentPort(Integer.parseInt(port.trim()))));
    }

    private static final class Reply extends AbstractConnectionFactory {
        private final byte[] line;

        Reply(int maxRequests) {
            super("tandem-limit-agent");
            this.line = ("maxconn:" + maxRequests + "\n").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public Connection newConnection(Connector connector, EndPoint endPoint) {
            return configure(new Answer(endPoint, connector.getExecutor(), ByteBuffer.wrap(line)), connector, endPoint);
        }
    }

    /** Writes the line on open, then closes. */
    private static final class Answer extends AbstractConnection {
        private final ByteBuffer line;

        Answer(EndPoint endPoint, Executor executor, ByteBuffer line) {
            super(endPoint, executor);
            this.line = line;
        }

        @Override
        public void onOpen() {
            super.onOpen();
            getEndPoint().write(Callback.from(this::close, failure -> close()), line);
        }

        @Override
        public void onFillable() {
            close(); // never asked to read: nothing the peer sends changes the answer
        }
    }
}
