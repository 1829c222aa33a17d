package dev.tandem.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP/1.1 connection driven byte by byte, for what an HTTP library hides: when a body arrives
 * apart from its headers, the {@code Connection} header of an answer, whether the server closed.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;

    public RawHttp(URI server) throws IOException {
        socket = new Socket(server.getHost(), server.getPort());
        socket.setSoTimeout(5_000);
    }

    /**
     * Sends {@code head} (request line and headers, without the blank line), then, after
     * {@code bodyLater}, the body (if any; with a zero delay, in the same write as the head, so it
     * arrives whole); returns the answer's status line and headers.
     */
    public String exchange(String head, String body, Duration bodyLater) throws IOException, InterruptedException {
        if (body != null && bodyLater.isZero()) {
            write(head + "\r\n\r\n" + body, StandardCharsets.UTF_8);
            return readAnswer().head();
        }
        write(head + "\r\n\r\n", StandardCharsets.US_ASCII);
        if (body != null) {
            Thread.sleep(bodyLater.toMillis()); // the gap a client's separate write of its body leaves
            write(body, StandardCharsets.UTF_8);
        }
        return readAnswer().head();
    }

    /** An answer: its status line and headers, and its body. */
    public record Answer(String head, String body) {}

    /** Sends a request without a body; returns the answer, body included. */
    public Answer send(String head) throws IOException {
        write(head + "\r\n\r\n", StandardCharsets.US_ASCII);
        return readAnswer();
    }

    private void write(String text, Charset charset) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(charset));
        out.flush();
    }

    /** Whether the server closed the connection after its answer (EOF within a second). */
    public boolean closedByServer() throws IOException {
        socket.setSoTimeout(1_000);
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** The answer: its head, then its body (Content-Length bytes, which every answer here has). */
    private Answer readAnswer() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection before answering: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = text.lines().filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15))
                .mapToInt(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
        return new Answer(text, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
