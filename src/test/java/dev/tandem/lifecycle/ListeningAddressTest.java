package dev.tandem.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** Where the warm-up pass reaches its node: the jar asks a started server, a WAR node waits for it to start. */
class ListeningAddressTest {

    @Test
    void aNodeListeningOnEveryAddressIsReachedOverLoopback() throws Exception {
        Server server = serverOn(null, 0);
        server.start();
        try {
            InetSocketAddress address = ListeningAddress.of(server);
            assertThat(address.getAddress().isLoopbackAddress()).as("%s is loopback", address).isTrue();
            assertThat(address.getPort()).isEqualTo(port(server));
        } finally {
            server.stop();
        }
    }

    @Test
    void aWebappDeployedBeforeTheConnectorsOpenLearnsTheAddressOnceTheServerHasStarted() throws Exception {
        Server server = serverOn("127.0.0.1", 0);
        CompletableFuture<InetSocketAddress> listening = ListeningAddress.once(server);
        assertThat(listening).as("before the server starts").isNotDone();
        server.start();
        try {
            InetSocketAddress address = listening.get(5, TimeUnit.SECONDS);
            assertThat(address).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port(server)));
        } finally {
            server.stop();
        }
    }

    @Test
    void aWebappDeployedIntoARunningServerLearnsTheAddressAtOnce() throws Exception {
        Server server = serverOn("127.0.0.1", 0);
        server.start();
        try {
            assertThat(ListeningAddress.once(server).getNow(null)).isNotNull()
                    .extracting(InetSocketAddress::getPort).isEqualTo(port(server));
        } finally {
            server.stop();
        }
    }

    @Test
    void aServerThatFailsToStartFailsTheWaitInsteadOfLeavingItOpen() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Server server = serverOn("127.0.0.1", taken.getLocalPort());
            CompletableFuture<InetSocketAddress> listening = ListeningAddress.once(server);
            assertThatThrownBy(server::start).as("the port is taken");
            assertThatThrownBy(() -> listening.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            server.stop();
        }
    }

    private static Server serverOn(String host, int port) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        return server;
    }

    private static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }
}
