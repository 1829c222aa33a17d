package dev.tandem.overload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testing.history.History;
import dev.tandem.testing.history.Op;
import dev.tandem.testing.history.SessionWorkload;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop client, as a crowd of independent users arrives: request i starts at
 * {@code i / rate} seconds whatever the earlier ones got, each on a new connection
 * ({@code Connection: close}), half session reads and half counter writes on the given sessions.
 * Plain NIO on one thread, so the client, not the JDK's HttpClient, never is what lags (measured:
 * HttpClient added seconds at 800 req/s on a shared core); {@link Sample#lagMillis()} shows how late
 * each request was sent. Bounded: {@code rate × duration} requests, at most {@code maxOutstanding}
 * open at once (beyond that a request is not sent: {@link Sample#skipped()}), each cut off after
 * {@code timeout}. Every write and read also goes into a {@link History} for the Jepsen-style
 * checker. Loopback targets only.
 */
final class OpenLoop {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request: when due, sent and answered (nanos); its status (0 = no answer, -1 = not sent) and what came back. */
    record Sample(long dueNanos, long sentNanos, long doneNanos, boolean write, int status, String retryAfter,
                  String contentType, String error, String failure) {
        long latencyMillis() {
            return TimeUnit.NANOSECONDS.toMillis(doneNanos - dueNanos);
        }

        long lagMillis() {
            return TimeUnit.NANOSECONDS.toMillis(sentNanos - dueNanos);
        }

        boolean skipped() {
            return status == -1;
        }
    }

    /** One connection's request in flight. */
    private final class Call {
        final int session;
        final boolean write;
        final long due;
        final URI base;
        final ByteBuffer out;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        long sent;

        Call(int i, long due) {
            this.session = (i / 2) % sessions.size();
            this.write = i % 2 == 1;
            this.due = due;
            this.base = targets.get(i % targets.size());
            String head = (write ? "POST /api/session/counter" : "GET /api/session") + " HTTP/1.1\r\nHost: "
                    + base.getHost() + ":" + base.getPort() + "\r\nCookie: JSESSIONID=" + sessions.get(session)
                    + "\r\n" + (write ? "Content-Length: 0\r\n" : "") + "Connection: close\r\n\r\n";
            this.out = ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private final List<URI> targets;
    private final List<String> sessions;
    private final Duration timeout;
    private final int maxOutstanding;
    private final History history = new History();

    OpenLoop(List<URI> targets, List<String> sessions, Duration timeout, int maxOutstanding) {
        for (URI t : targets) {
            if (!t.getHost().startsWith("127.") && !t.getHost().equals("localhost")) {
                throw new IllegalArgumentException("loopback targets only: " + t);
            }
        }
        this.targets = List.copyOf(targets);
        this.sessions = List.copyOf(sessions);
        this.timeout = timeout;
        this.maxOutstanding = maxOutstanding;
    }

    History history() {
        return history;
    }

    /** Offers {@code rate} requests per second for {@code duration}; returns once every request is answered or cut off. */
    List<Sample> run(double rate, Duration duration) throws IOException {
        int total = (int) Math.min(1_000_000, Math.round(rate * duration.toMillis() / 1000.0));
        List<Sample> samples = new ArrayList<>(total);
        Set<SelectionKey> open = new HashSet<>();
        long gap = (long) (1e9 / rate);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long timeoutNanos = timeout.toNanos();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try (Selector selector = Selector.open()) {
            int next = 0;
            while (next < total || !open.isEmpty()) {
                long now = System.nanoTime();
                while (next < total && start + next * gap <= now) {
                    long due = start + next * gap;
                    Call call = new Call(next++, due);
                    if (open.size() >= maxOutstanding) {
                        samples.add(new Sample(due, due, due, call.write, -1, null, null, null, "client limit"));
                        continue;
                    }
                    SocketChannel ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    call.sent = System.nanoTime();
                    ch.connect(new InetSocketAddress(call.base.getHost(), call.base.getPort()));
                    open.add(ch.register(selector, SelectionKey.OP_CONNECT, call));
                }
                long wait = next < total ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(start + next * gap - now)) : 20;
                selector.select(Math.min(wait, 20));
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    Call call = (Call) key.attachment();
                    SocketChannel ch = (SocketChannel) key.channel();
                    try {
                        if (key.isConnectable() && ch.finishConnect()) {
                            key.interestOps(SelectionKey.OP_WRITE);
                        }
                        if (key.isValid() && key.isWritable()) {
                            ch.write(call.out);
                            if (!call.out.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        if (key.isValid() && key.isReadable()) {
                            buf.clear();
                            int n = ch.read(buf);
                            if (n > 0) {
                                call.in.write(buf.array(), 0, n);
                            } else if (n < 0) {
                                finish(key, open, samples, call, null);
                            }
                        }
                    } catch (IOException e) {
                        finish(key, open, samples, call, e.toString());
                    }
                }
                long cut = System.nanoTime() - timeoutNanos;
                for (SelectionKey key : List.copyOf(open)) {
                    if (((Call) key.attachment()).sent < cut) {
                        finish(key, open, samples, (Call) key.attachment(), "timeout");
                    }
                }
            }
        }
        return samples;
    }

    private void finish(SelectionKey key, Set<SelectionKey> open, List<Sample> samples, Call call, String failure) {
        long done = System.nanoTime();
        open.remove(key);
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closing a finished connection
        }
        Response r = failure == null ? Response.parse(call.in.toByteArray()) : null;
        String session = SessionWorkload.clusterId(sessions.get(call.session));
        Op.Kind kind = call.write ? Op.Kind.INCREMENT : Op.Kind.READ;
        if (r == null) {
            samples.add(new Sample(call.due, call.sent, done, call.write, 0, null, null, null,
                    failure == null ? "unparseable answer" : failure));
            history.add(new Op(call.session, session, kind, null, call.sent, done,
                    call.write ? Op.Outcome.UNKNOWN : Op.Outcome.FAILED, -1, call.base.toString(), false, failure));
            return;
        }
        JsonNode body = r.json();
        samples.add(new Sample(call.due, call.sent, done, call.write, r.status, r.header("retry-after"),
                r.header("content-type"), body == null ? null : body.path("error").asText(null), null));
        String node = r.header("x-tandem-node");
        String set = r.cookie();
        boolean replaced = set != null && !SessionWorkload.clusterId(set).equals(session);
        if (r.status == 200 && body != null) {
            long value = call.write ? body.path("value").asLong(-1) : body.path("counter").asLong(-1);
            replaced |= !call.write && body.path("new").asBoolean(false);
            history.add(new Op(call.session, session, kind, null, call.sent, done, Op.Outcome.OK, value, node, replaced,
                    replaced ? "new session " + set : ""));
        } else {
            // A refused read changed nothing; a write answered 5xx may have been cut off after the cluster took it.
            Op.Outcome outcome = !call.write || (r.status >= 400 && r.status < 500) ? Op.Outcome.FAILED : Op.Outcome.UNKNOWN;
            history.add(new Op(call.session, session, kind, null, call.sent, done, outcome, -1, node, replaced,
                    r.status + " " + r.body));
        }
    }

    /** An HTTP/1.1 answer read to the end of its connection (Content-Length or chunked bodies alike, small JSON). */
    private record Response(int status, List<String> headers, String body) {
        static Response parse(byte[] raw) {
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.") || end < 0) {
                return null;
            }
            String[] lines = text.substring(0, end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            List<String> headers = List.of(lines).subList(1, lines.length);
            String body = text.substring(end + 4);
            if (headers.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:"))) {
                body = unchunk(body);
            }
            return new Response(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        }

        private static String unchunk(String s) {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < s.length()) {
                int eol = s.indexOf("\r\n", i);
                if (eol < 0) {
                    break;
                }
                int size = Integer.parseInt(s.substring(i, eol).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                out.append(s, eol + 2, Math.min(s.length(), eol + 2 + size));
                i = eol + 2 + size + 2;
            }
            return out.toString();
        }

        String header(String name) {
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return h.substring(colon + 1).trim();
                }
            }
            return null;
        }

        String cookie() {
            for (String h : headers) {
                if (h.toLowerCase(Locale.ROOT).startsWith("set-cookie:") && h.contains("JSESSIONID=")) {
                    return h.substring(h.indexOf("JSESSIONID=") + "JSESSIONID=".length()).split(";", 2)[0];
                }
            }
            return null;
        }

        JsonNode json() {
            try {
                return body.isEmpty() ? null : JSON.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }
    }
}
