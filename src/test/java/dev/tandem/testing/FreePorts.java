package dev.tandem.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Free ports for things that cannot take port 0: JGroups needs a known port (and port + 100). */
public final class FreePorts {
    /** Where cluster ports are drawn from: at or above this. */
    private static final int LOWEST = 20_000;
    /** The kernel's ephemeral port range, and where Linux starts it by default. */
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;

    private FreePorts() {}

    /**
     * A port p on host such that p and p + 100 (JGroups failure detection) are both free now, both
     * below the kernel's ephemeral range: a port in it can be taken, between this check and the
     * node's bind, as the local port of any outgoing connection (CI: a node's cluster port 37560
     * was, and it could not start).
     */
    public static int clusterPort(String host) {
        int below = ephemeralLow() - 100;
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (free(host, p) && free(host, p + 100)) {
                return p;
            }
        }
        throw new IllegalStateException("no free cluster port pair on " + host);
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

    public static int httpPort(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
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
