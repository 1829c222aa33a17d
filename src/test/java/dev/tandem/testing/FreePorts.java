package dev.tandem.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free ports for things that cannot take port 0: JGroups needs a known port (and port + 100). */
public final class FreePorts {
    private FreePorts() {}

    /** A port p on host such that p and p + 100 (JGroups failure detection) are both free now. */
    public static int clusterPort(String host) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            if (free(host, p) && free(host, p + 100)) {
                return p;
            }
        }
        throw new IllegalStateException("no free cluster port pair on " + host);
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
