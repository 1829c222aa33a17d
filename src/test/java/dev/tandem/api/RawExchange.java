package dev.tandem.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange written byte for byte on loopback, for what the JDK client will not send
 * (a Host of our choosing, malformed requests, no Content-Length at all like {@code curl -X POST}).
 */
record RawExchange(int status, String head, String body) {

    /** Sends the request as given (it should say {@code Connection: close}) and reads the whole answer. */
    static RawExchange send(URI node, String request) throws IOException {
        try (Socket s = new Socket(node.getHost(), node.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.getInputStream().transferTo(out);
            String all = out.toString(StandardCharsets.ISO_8859_1);
            int split = all.indexOf("\r\n\r\n");
            String head = split < 0 ? all : all.substring(0, split);
            String body = split < 0 ? "" : all.substring(split + 4);
            int status = all.startsWith("HTTP/1.1 ") ? Integer.parseInt(all.substring(9, 12)) : -1;
            return new RawExchange(status, head, body);
        }
    }

    /** A header's value from the head, case-insensitively; null when absent. */
    String header(String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }
}
