package dev.tandem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket from a chosen loopback source address, one request per connection:
 * what a client at that address sends, byte for byte (any header, any path, malformed on purpose).
 */
final class RawHttp {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RawHttp() {}

    /** A response read whole; header names lower case. */
    record Reply(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        /** The Set-Cookie header that sets JSESSIONID to a value, or null. */
        String sessionCookie() {
            return all("set-cookie").stream().filter(c -> c.startsWith("JSESSIONID=") && !c.startsWith("JSESSIONID=;"))
                    .findFirst().orElse(null);
        }

        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
            }
        }
    }

    /** METHOD PATH from the given source address, with extra "Name: value" header lines; no body. */
    static Reply request(String from, URI base, String method, String path, String... headerLines) {
        return send(from, base, method, path, method.equals("GET") || method.equals("HEAD") ? null : "", headerLines);
    }

    /** METHOD PATH with a body (null: none, not even Content-Length) and extra header lines. */
    static Reply send(String from, URI base, String method, String path, String body, String... headerLines) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n")
                .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
        for (String h : headerLines) {
            head.append(h).append("\r\n");
        }
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            head.append("Content-Length: ").append(content.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] raw = java.util.Arrays.copyOf(headBytes, headBytes.length + content.length);
        System.arraycopy(content, 0, raw, headBytes.length, content.length);
        return exchange(from, base, raw);
    }

    /** Sends the bytes as they are and reads the answer until the server closes. */
    static Reply exchange(String from, URI base, byte[] raw) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            s.setSoTimeout(15_000);
            try {
                s.getOutputStream().write(raw);
                s.getOutputStream().flush();
            } catch (IOException e) {
                // The server may answer (an error) and close before reading all of a large request.
            }
            return parse(readUntilClosed(s.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException("from " + from + " to " + base + ": " + e, e);
        }
    }

    /** Everything until the server closes; a reset after an answer (error, then close) keeps the answer. */
    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException e) {
            if (out.size() == 0) {
                throw e;
            }
        }
        return out.toByteArray();
    }

    private static Reply parse(byte[] bytes) {
        String all = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalStateException("no complete response head: " + all);
        }
        String[] lines = all.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        List<String> te = headers.getOrDefault("transfer-encoding", List.of());
        if (te.stream().anyMatch(v -> v.equalsIgnoreCase("chunked"))) {
            body = dechunk(body);
        }
        return new Reply(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream s = new java.io.ByteArrayInputStream(in);
        try {
            while (true) {
                StringBuilder size = new StringBuilder();
                for (int c = s.read(); c != '\n' && c >= 0; c = s.read()) {
                    if (c != '\r') {
                        size.append((char) c);
                    }
                }
                int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
                if (n == 0) {
                    return out.toByteArray();
                }
                out.write(s.readNBytes(n));
                s.readNBytes(2); // CRLF after the chunk
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("bad chunked body", e);
        }
    }
}
