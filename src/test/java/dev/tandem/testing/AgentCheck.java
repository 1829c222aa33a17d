package dev.tandem.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** What HAProxy's agent check gets from a node's agent port: everything sent before it closes. */
public final class AgentCheck {
    private AgentCheck() {}

    /** Connects (2 s), reads until the agent closes (5 s at most) and returns what it said. */
    public static String read(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2_000);
            s.setSoTimeout(5_000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
