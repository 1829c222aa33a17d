package dev.tandem.lifecycle;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One kept-alive HTTP/1.1 connection from the warm-up pass to the node's own connector: the pass's
 * requests take the socket, selector and keep-alive paths real clients take, so the JIT compiles
 * those too (through Jetty's in-memory connector it compiled other code, and a node that had
 * warmed until its JIT was idle still spent 3 s compiling in its first 5 s of real load, at 0.20
 * of its plateau). Just enough HTTP for the node's own answers: a Content-Length or chunked body,
 * or one read to the end when the node closes. Not thread-safe: one per client thread.
 */
final class WarmupConnection implements AutoCloseable {
    private final InetSocketAddress address;
    private final String host;
    private final String accept;
    private final int timeoutMs;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] buffer = new byte[8192];
    private int start;
    private int end;

    /** @param host what the requests' Host header says */
    WarmupConnection(InetSocketAddress address, String host, int timeoutMs) {
        this(address, host, null, timeoutMs);
    }

    /** @param accept what the requests' Accept header says; null for none */
    WarmupConnection(InetSocketAddress address, String host, String accept, int timeoutMs) {
        this.address = address;
        this.host = host;
        this.accept = accept;
        this.timeoutMs = timeoutMs;
    }

    String host() {
        return host;
    }

    /** The requests' Accept header, or null when they send none. */
    String accept() {
        return accept;
    }

    /** Sends one request and reads its whole response; the response's head and body as text. */
    String exchange(String request) throws IOException {
        return exchange(request, timeoutMs);
    }

    /** As {@link #exchange(String)}, waiting up to {@code readTimeoutMs} for this one response. */
    String exchange(String request, int readTimeoutMs) throws IOException {
        if (socket == null) {
            open();
        }
        try {
            socket.setSoTimeout(readTimeoutMs);
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close(); // the next exchange opens a new connection
            throw e;
        }
    }

    private void open() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true); // as wrk and browsers do: a request is one small write
        socket.connect(address, timeoutMs);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        start = 0;
        end = 0;
    }

    private String readResponse() throws IOException {
        String head = readHead();
        String lower = head.toLowerCase(Locale.ROOT);
        int status = status(head);
        byte[] body;
        int length = contentLength(lower);
        if (length >= 0) {
            body = readBytes(length);
        } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
            body = readChunked();
        } else if (status == 204 || status == 304) {
            body = new byte[0];
        } else {
            body = readToEnd();
        }
        if (lower.contains("\r\nconnection: close")) {
            close();
        }
        return head + new String(body, StandardCharsets.UTF_8);
    }

    /** The status of a raw response ("HTTP/1.1 200 OK..."), 0 when there is none. */
    static int status(String response) {
        if (response.length() < 12 || !response.startsWith("HTTP/1.")) {
            return 0;
        }
        try {
            return Integer.parseInt(response.substring(9, 12));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int contentLength(String lowerHead) {
        int at = lowerHead.indexOf("\r\ncontent-length:");
        if (at < 0) {
            return -1;
        }
        int from = at + "\r\ncontent-length:".length();
        int to = lowerHead.indexOf('\r', from);
        return Integer.parseInt(lowerHead.substring(from, to < 0 ? lowerHead.length() : to).trim());
    }

    /** The status line and headers, up to and including the blank line. */
    private String readHead() throws IOException {
        StringBuilder head = new StringBuilder(256);
        while (true) {
            for (int i = start; i < end; i++) {
                head.append((char) (buffer[i] & 0xff));
                int n = head.length();
                if (n >= 4 && head.charAt(n - 1) == '\n' && head.charAt(n - 2) == '\r'
                        && head.charAt(n - 3) == '\n' && head.charAt(n - 4) == '\r') {
                    start = i + 1;
                    return head.toString();
                }
            }
            start = end;
            fill();
        }
    }

    private byte[] readBytes(int length) throws IOException {
        byte[] body = new byte[length];
        int got = 0;
        while (got < length) {
            if (start == end) {
                fill();
            }
            int n = Math.min(length - got, end - start);
            System.arraycopy(buffer, start, body, got, n);
            start += n;
            got += n;
        }
        return body;
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers: none expected, read past them
                }
                return body.toByteArray();
            }
            body.writeBytes(readBytes(size));
            readLine(); // the CRLF after the chunk
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(16);
        while (true) {
            if (start == end) {
                fill();
            }
            char c = (char) (buffer[start++] & 0xff);
            if (c == '\n') {
                int n = line.length();
                return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
            }
            line.append(c);
        }
    }

    private byte[] readToEnd() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(buffer, start, end - start);
        start = end;
        in.transferTo(body);
        close();
        return body.toByteArray();
    }

    private void fill() throws IOException {
        int n = in.read(buffer);
        if (n < 0) {
            throw new EOFException("the node closed the connection mid-response");
        }
        start = 0;
        end = n;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a loopback socket: nothing to do about it
            }
            socket = null;
        }
    }
}
