package dev.tandem.lifecycle;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Where a started server's HTTP connector listens, as the node's own warm-up pass reaches it: the
 * fat jar asks once it has started its server; a WAR node's jetty-base hands the webapp
 * {@link #once} (webapps/ROOT.xml), since the webapp is deployed before Jetty opens its connectors
 * and cannot see Jetty's classes.
 */
public final class ListeningAddress {
    /** The context attribute a WAR node's webapp reads {@link #once} from. */
    public static final String ATTRIBUTE = "dev.tandem.lifecycle.listening";

    private ListeningAddress() {}

    /** The first open HTTP connector's address; a wildcard host is reached on loopback. */
    public static InetSocketAddress of(Server server) throws UnknownHostException {
        for (Connector c : server.getConnectors()) {
            if (c instanceof ServerConnector sc && sc.getConnectionFactory(HttpConnectionFactory.class) != null
                    && sc.getLocalPort() > 0) {
                String host = sc.getHost();
                InetAddress ip = host == null || host.isEmpty() ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
                return new InetSocketAddress(ip.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : ip, sc.getLocalPort());
            }
        }
        throw new IllegalStateException("the server has no open HTTP connector");
    }

    /**
     * Completes with {@link #of} once the server has started (at once if it has), exceptionally if
     * it fails to start or has no HTTP connector.
     */
    public static CompletableFuture<InetSocketAddress> once(Server server) {
        CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
        LifeCycle.Listener started = new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                try {
                    listening.complete(of(server));
                } catch (UnknownHostException | RuntimeException e) {
                    listening.completeExceptionally(e);
                }
            }

            @Override
            public void lifeCycleFailure(LifeCycle event, Throwable cause) {
                listening.completeExceptionally(cause);
            }
        };
        server.addEventListener(started);
        if (server.isStarted()) {
            started.lifeCycleStarted(server); // deployed into a running server: it listens already
        }
        listening.whenComplete((address, failure) -> server.removeEventListener(started));
        return listening;
    }
}
