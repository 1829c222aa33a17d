package dev.tandem.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers each request head with the next scripted answer, in order; closes the connection after
 * the answer numbered {@code closeAfter} (1-based), and takes the next connection for the rest.
 */
final class ScriptedServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread thread;
    private final long delayMs;
    private final AtomicInteger answered = new AtomicInteger();

    ScriptedServer(List<String> answers, int closeAfter) throws IOException {
        this(answers, closeAfter, 0);
    }

    /** @param delayMs how long it waits before each answer (a slow node) */
    ScriptedServer(List<String> answers, int closeAfter, long delayMs) throws IOException {
        this.delayMs = delayMs;
        thread = new Thread(() -> serve(answers, closeAfter), "scripted-http");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
    }

    int connections() {
        return connections.get();
    }

    /** Request heads read so far (each one answered, unless the server was closed first). */
    int requests() {
        return answered.get();
    }

    private void serve(List<String> answers, int closeAfter) {
        int next = 0;
        try {
            while (next < answers.size()) {
                try (Socket client = socket.accept()) {
                    connections.incrementAndGet();
                    InputStream in = client.getInputStream();
                    OutputStream out = client.getOutputStream();
                    while (next < answers.size() && readHead(in)) {
                        answered.incrementAndGet();
                        if (delayMs > 0) {
                            Thread.sleep(delayMs); // the scripted slow answer itself, not a wait in a test
                        }
                        out.write(answers.get(next++).getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        if (next == closeAfter) {
                            break;
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the test closed the server socket
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean readHead(InputStream in) throws IOException {
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            if (matched == 4) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
