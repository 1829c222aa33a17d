package dev.tandem.transport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.MulticastSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.jgroups.util.SocketFactory;
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
final class ClusterSocketFactory implements SocketFactory {
    /**
     * As long as the accepting side's peer_addr_read_timeout: a cold JVM under load can need
     * seconds for a handshake, and a frozen peer costs the sending thread this much per attempt.
     */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private final SocketFactory tls;

    private ClusterSocketFactory(SocketFactory tls) {
        this.tls = tls;
    }

    static SocketFactory forCredentials(ClusterCredentials credentials) {
        TLS tls = new TLS().enabled(true)
                .setProtocols(new String[] {"TLSv1.3"})
                .setClientAuth(TLSClientAuth.NEED)
                .setKeystoreType("PKCS12")
                .setKeystorePath(credentials.keystore().toAbsolutePath().toString())
                .setKeystorePassword(credentials.password());
        try {
            tls.init(); // the keystore is the truststore too
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the cluster's TLS from " + credentials, e);
        }
        return new ClusterSocketFactory(tls.createSocketFactory());
    }

    /** A client socket whose TLS handshake gives up after HANDSHAKE_TIMEOUT; reads after it wait as long as needed. */
    private static Socket bounded(Socket s) throws SocketException {
        if (s instanceof SSLSocket ssl) {
            ssl.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
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
        return s;
    }

    @Override
    public Socket createSocket(String service) throws IOException {
        return bounded(tls.createSocket(service));
    }

    @Override
    public Socket createSocket(String service, String host, int port) throws IOException {
        return bounded(tls.createSocket(service, host, port));
    }

    @Override
    public Socket createSocket(String service, InetAddress address, int port) throws IOException {
        return bounded(tls.createSocket(service, address, port));
    }

    @Override
    public Socket createSocket(String service, String host, int port, InetAddress localAddr, int localPort)
            throws IOException {
        return bounded(tls.createSocket(service, host, port, localAddr, localPort));
    }

    @Override
    public Socket createSocket(String service, InetAddress address, int port, InetAddress localAddr, int localPort)
            throws IOException {
        return bounded(tls.createSocket(service, address, port, localAddr, localPort));
    }

    @Override
    public ServerSocket createServerSocket(String service) throws IOException {
        return tls.createServerSocket(service);
    }

    @Override
    public ServerSocket createServerSocket(String service, int port) throws IOException {
        return tls.createServerSocket(service, port);
    }

    @Override
    public ServerSocket createServerSocket(String service, int port, int backlog) throws IOException {
        return tls.createServerSocket(service, port, backlog);
    }

    @Override
    public ServerSocket createServerSocket(String service, int port, int backlog, InetAddress bindAddr) throws IOException {
        return tls.createServerSocket(service, port, backlog, bindAddr);
    }

    @Override
    public DatagramSocket createDatagramSocket(String service) throws SocketException {
        return tls.createDatagramSocket(service);
    }

    @Override
    public DatagramSocket createDatagramSocket(String service, SocketAddress bindaddr) throws SocketException {
        return tls.createDatagramSocket(service, bindaddr);
    }

    @Override
    public DatagramSocket createDatagramSocket(String service, int port) throws SocketException {
        return tls.createDatagramSocket(service, port);
    }

    @Override
    public DatagramSocket createDatagramSocket(String service, int port, InetAddress laddr) throws SocketException {
        return tls.createDatagramSocket(service, port, laddr);
    }

    @Override
    public MulticastSocket createMulticastSocket(String service) throws IOException {
        return tls.createMulticastSocket(service);
    }

    @Override
    public MulticastSocket createMulticastSocket(String service, int port) throws IOException {
        return tls.createMulticastSocket(service, port);
    }

    @Override
    public MulticastSocket createMulticastSocket(String service, SocketAddress bindaddr) throws IOException {
        return tls.createMulticastSocket(service, bindaddr);
    }

    @Override
    public void close(Socket sock) throws IOException {
        tls.close(sock);
    }

    @Override
    public void close(ServerSocket sock) throws IOException {
        tls.close(sock);
    }

    @Override
    public void close(DatagramSocket sock) {
        tls.close(sock);
    }
}
