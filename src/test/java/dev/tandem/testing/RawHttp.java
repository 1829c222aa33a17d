package dev.tandem.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP/1.1 connection driven byte by byte, for what an HTTP library hides: when a body arrives
 * apart from its headers, the {@code Connection} header of an answer, whether the server closed.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private byte[] lastBody = new byte[0];

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
        OutputStream out = socket.getOutputStream();
        if (body != null && bodyLater.isZero()) {
            out.write((head + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readAnswer();
        }
        out.write((head + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        if (body != null) {
            Thread.sleep(bodyLater.toMillis()); // the gap a client's separate write of its body leaves
            out.write(body.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        return readAnswer();
    }

    /** Sends a request without a body; returns the answer whole: status line, headers and body. */
    public String send(String head) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((head + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String answer = readAnswer();
        return answer + new String(lastBody, StandardCharsets.UTF_8);
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

    /** The answer's head; its body (Content-Length bytes, which every answer here has) is read and kept apart. */
    private String readAnswer() throws IOException {
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
        lastBody = in.readNBytes(length);
        return text;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
