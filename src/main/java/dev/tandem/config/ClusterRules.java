package dev.tandem.config;

import dev.tandem.transport.SecurityChoice;
import dev.tandem.transport.TransportSecurity;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.HostPort;

import static dev.tandem.config.ConfigLoader.address;

/** The rules for the cluster options: members, the address JGroups binds to, and who may join. */
final class ClusterRules {
    private ClusterRules() {}

    private static final SecurityChoice.Names OPTIONS = new SecurityChoice.Names("--cluster-credentials",
            "--cluster-insecure", " (or TANDEM_CLUSTER_CREDENTIALS)");

    /** Who may join: the rule is the transport's ({@link SecurityChoice}); here it speaks in options. */
    static TransportSecurity security(boolean clustered, String credentials, boolean insecure) {
        try {
            return SecurityChoice.choose(clustered, credentials, insecure, OPTIONS);
        } catch (SecurityChoice.Refused e) {
            throw new ConfigException(e.setting(), e.reason());
        }
    }

    /**
     * Every member with its port (--cluster-port when it had none), duplicates once. A blank list
     * means standalone; a blank member inside a list is a typo.
     */
    static List<HostPort> peers(List<HostPort> given, int defaultPort) {
        Map<String, HostPort> peers = new LinkedHashMap<>();
        if (given == null || given.stream().allMatch(p -> p == null)) {
            return List.of();
        }
        for (HostPort p : given) {
            if (p == null) {
                throw new ConfigException("--peers", "empty member in list; " + PeerConverter.FORMAT);
            }
            HostPort withPort = new HostPort(p.getHost(), p.getPort(defaultPort));
            peers.putIfAbsent(withPort.toString(), withPort);
        }
        return new ArrayList<>(peers.values());
    }

    /**
     * JGroups must bind to the interface the peers can reach: never a wildcard, and never
     * Vagrant's NAT interface, which has the same address on every VM.
     */
    static String clusterHost(String given, String host, List<HostPort> peers) {
        if (given != null && !given.isBlank()) {
            String addr = address("--cluster-host", given);
            try {
                InetAddress a = InetAddress.getByName(addr);
                if (a.isAnyLocalAddress()) {
                    throw new ConfigException("--cluster-host", "'" + addr + "' is a wildcard; give the address peers reach");
                }
                if (!a.isLoopbackAddress() && NetworkInterface.getByInetAddress(a) == null) {
                    throw new ConfigException("--cluster-host", "'" + addr + "' is not an address of this machine");
                }
            } catch (UnknownHostException | SocketException e) {
                throw new ConfigException("--cluster-host", "'" + addr + "': " + e.getMessage());
            }
            return addr;
        }
        try {
            InetAddress h = InetAddress.getByName(host);
            if (!h.isAnyLocalAddress()) {
                return host;
            }
            for (HostPort peer : peers) {
                InetAddress p = localAddress(peer);
                if (p != null) {
                    return p.getHostAddress();
                }
            }
        } catch (UnknownHostException | SocketException e) {
            throw new ConfigException("--host", e.getMessage());
        }
        if (peers.isEmpty()) {
            return "127.0.0.1"; // standalone: JGroups is not started at all
        }
        throw new ConfigException("--cluster-host", "required when --host is a wildcard and no peer in --peers"
                + " is an address of this machine");
    }

    /** The peer's address when it is one of this machine's (not loopback); a name that does not resolve (yet) is not. */
    private static InetAddress localAddress(HostPort peer) throws SocketException {
        try {
            InetAddress p = InetAddress.getByName(peer.getHost());
            return !p.isLoopbackAddress() && NetworkInterface.getByInetAddress(p) != null ? p : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
