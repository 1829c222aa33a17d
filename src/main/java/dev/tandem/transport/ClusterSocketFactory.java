package dev.tandem.transport;

import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jgroups.util.DefaultSocketFactory;
import org.jgroups.util.SocketFactory;
import org.jgroups.util.SslContextFactory;
import org.jgroups.util.TLS;
import org.jgroups.util.TLSClientAuth;

/**
 * The cluster's TLS sockets: JGroups' own TLS socket factory (TLS 1.3, client authentication
 * required, the keystore as truststore), with one change: the TLS handshake of a connection this
 * node opens gives up after {@link #HANDSHAKE_TIMEOUT}.
 *
 * <p>Why: JGroups' TCP opens a connection on its one sending thread and runs the TLS handshake
 * there with no timeout. A peer frozen by SIGSTOP (or a paused VM) still accepts the TCP connection
 * in its kernel but never answers the handshake, so that thread waited forever and this node sent
 * nothing to anyone: under load the two healthy nodes stopped talking to each other, could not even
 * install the view that drops the frozen one, and served nothing while it was frozen
 * (HaproxyFailoverIT F5; thread dumps showed the sending thread in {@code startHandshake}).
 * The bound covers the handshake only: once it completes the socket reads without a timeout again,
 * as JGroups expects (a timeout on an established connection would close connections to a peer
 * that is merely slow, and reconnecting is what stalls). Connections peers open to this node are
 * already bounded by TCP's {@code peer_addr_read_timeout}.
 */
final class ClusterSocketFactory {
    /**
     * As long as the accepting side's peer_addr_read_timeout: a cold JVM under load can need
     * seconds for a handshake, and a frozen peer costs the sending thread this much per attempt.
     */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private ClusterSocketFactory() {}

    /** JGroups' TLS factory for these credentials, every client socket it makes bounded by {@link #boundHandshake}. */
    static SocketFactory forCredentials(ClusterCredentials credentials) {
        SSLContext context;
        try {
            context = new SslContextFactory().sslProtocol("TLS")
                    .keyStore(credentials.keys()).keyStorePassword(credentials.password())
                    .trustStore(credentials.keys()) // the keystore is the truststore too
                    .build().sslContext();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot set up the cluster's TLS from " + credentials, e);
        }
        TLS tls = new TLS().enabled(true)
                .setProtocols(new String[] {"TLSv1.3"})
                .setClientAuth(TLSClientAuth.NEED);
        DefaultSocketFactory sockets = (DefaultSocketFactory) tls.createSocketFactory(context);
        sockets.setSocketConfigurator(ClusterSocketFactory::boundHandshake);
        return sockets;
    }

    /** A client socket whose TLS handshake gives up after HANDSHAKE_TIMEOUT; reads after it wait as long as needed. */
    private static void boundHandshake(Socket s) {
        if (s instanceof SSLSocket ssl) {
            try {
                ssl.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
            } catch (SocketException e) {
                throw new UncheckedIOException(e);
            }
            // The JDK tells this on a thread of its own right after the handshake, before the peer's
            // first heartbeat (2 s) can be late.
            ssl.addHandshakeCompletedListener(done -> {
                try {
                    done.getSocket().setSoTimeout(0);
                } catch (SocketException closed) {
                    // closed meanwhile: nothing to reset
                }
            });
        }
    }
}
