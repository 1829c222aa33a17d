package dev.tandem.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.Test;

/** The warm-up pass's connection against a scripted server on loopback: each way HTTP/1.1 ends a response. */
class WarmupConnectionTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @Test
    void oneConnectionCarriesLengthChunkedAndEmptyAnswersAndANewOneFollowsAClose() throws Exception {
        List<String> answers = List.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 1\r\n\r\nx",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain");
        try (Script server = new Script(answers, 4);
             WarmupConnection connection = new WarmupConnection(server.address(), "localhost", 2_000)) {
            assertThat(connection.exchange(GET)).endsWith("\r\n\r\nok");
            assertThat(connection.exchange(GET)).endsWith("\r\n\r\nabcde");
            assertThat(connection.exchange(GET)).startsWith("HTTP/1.1 204").endsWith("\r\n\r\n");
            assertThat(connection.exchange(GET)).startsWith("HTTP/1.1 404").endsWith("\r\n\r\nx");
            assertThat(connection.exchange(GET)).endsWith("\r\n\r\nagain");
            assertThat(server.connections()).as("connections opened").isEqualTo(2);
        }
    }

    @Test
    void aConnectionClosedMidAnswerFailsThatExchangeAndTheNextOneReconnects() throws Exception {
        List<String> answers = List.of("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        try (Script server = new Script(answers, 1);
             WarmupConnection connection = new WarmupConnection(server.address(), "localhost", 2_000)) {
            assertThatThrownBy(() -> connection.exchange(GET)).isInstanceOf(IOException.class);
            assertThat(connection.exchange(GET)).endsWith("ok");
            assertThat(server.connections()).isEqualTo(2);
        }
    }

    /**
     * Answers each request head with the next scripted answer, in order; closes the connection after
     * the answer numbered {@code closeAfter} (1-based), and takes the next connection for the rest.
     */
    private static final class Script implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread thread;

        Script(List<String> answers, int closeAfter) throws IOException {
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

        private void serve(List<String> answers, int closeAfter) {
            int next = 0;
            try {
                while (next < answers.size()) {
                    try (Socket client = socket.accept()) {
                        connections.incrementAndGet();
                        InputStream in = client.getInputStream();
                        OutputStream out = client.getOutputStream();
                        while (next < answers.size() && readHead(in)) {
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
        public void close() throws Exception {
            socket.close();
            thread.join(2_000);
        }
    }
}
