package dev.tandem.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Free ports for things that cannot take port 0: JGroups needs a known port (and port + 100), HAProxy and node processes are told theirs. */
public final class FreePorts {
    /** Where ports are drawn from: at or above this. */
    private static final int LOWEST = 20_000;
    /** The kernel's ephemeral port range, and where Linux starts it by default. */
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    /** Ports are drawn below this: the ephemeral range's start, read once, less the failure detection's 100. */
    private static final int BELOW = ephemeralLow() - 100;
    /** Every port handed out in this JVM: two picks made before either is bound must not be the same port. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /**
     * A port p on host such that p and p + 100 (JGroups failure detection) are both free now, both
     * below the kernel's ephemeral range: a port in it can be taken, between this check and the
     * node's bind, as the local port of any outgoing connection (CI: a node's cluster port 37560
     * was, and it could not start).
     */
    public static int clusterPort(String host) {
        return pick(host, 100);
    }

    /**
     * A port free on host now, for a server that cannot take port 0 (HAProxy, a node process told
     * its port), below the ephemeral range as {@link #clusterPort} is.
     */
    public static int httpPort(String host) {
        return pick(host, 0);
    }

    /** A port p, and p + offset, free now, below the ephemeral range, and not handed out before in this JVM. */
    private static int pick(String host, int offset) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = ThreadLocalRandom.current().nextInt(LOWEST, BELOW);
            if (!HANDED_OUT.contains(p) && !HANDED_OUT.contains(p + offset) && free(host, p) && free(host, p + offset)
                    && HANDED_OUT.add(p)) {
                HANDED_OUT.add(p + offset);
                return p;
            }
        }
        throw new IllegalStateException("no free port" + (offset > 0 ? " pair" : "") + " on " + host);
    }

    /** The lowest port the kernel hands out as a connection's local port. */
    static int ephemeralLow() {
        try {
            int low = Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
            return low - 100 > LOWEST + 1_000 ? low : DEFAULT_EPHEMERAL_LOW;
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW; // not Linux: stay below Linux's default
        }
    }

    static boolean free(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
