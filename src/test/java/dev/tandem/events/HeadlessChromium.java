package dev.tandem.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * One headless Chromium (its own profile, so its own cookies) showing one page, driven over the
 * DevTools protocol with the JDK's WebSocket client: {@link #eval} runs JavaScript in the page.
 * Chromium is kept off the network: no background services, and only 127.* addresses resolve.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    HeadlessChromium(URI page, Path dir) throws Exception {
        Path log = dir.resolve("chromium.log");
        process = new ProcessBuilder(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + dir.resolve("profile"),
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-domain-reliability", "--no-proxy-server",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.*", page.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            socket = connect(log);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private WebSocket connect(Path log) throws Exception {
        String[] port = {null};
        Awaitility.await("chromium's DevTools port").atMost(Duration.ofSeconds(30)).until(() -> {
            Matcher m = DEVTOOLS.matcher(Files.exists(log) ? Files.readString(log) : "");
            port[0] = m.find() ? m.group(1) : null;
            return port[0] != null;
        });
        HttpClient http = HttpClient.newHttpClient();
        String[] ws = {null};
        Awaitility.await("the page target").atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            JsonNode targets = MAPPER.readTree(http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port[0] + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode t : targets) {
                if (t.path("type").asText().equals("page")) {
                    ws[0] = t.path("webSocketDebuggerUrl").asText();
                }
            }
            return ws[0] != null;
        });
        return http.newWebSocketBuilder().buildAsync(URI.create(ws[0]), new Listener()).get(10, TimeUnit.SECONDS);
    }

    /** Evaluates an expression in the page (promises awaited) and returns its value as JSON. */
    JsonNode eval(String expression) {
        int id = ids.incrementAndGet();
        ObjectNode msg = MAPPER.createObjectNode().put("id", id).put("method", "Runtime.evaluate");
        msg.putObject("params").put("expression", expression).put("returnByValue", true).put("awaitPromise", true);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(msg.toString(), true);
        try {
            return reply.get(15, TimeUnit.SECONDS).path("result").path("result").path("value");
        } catch (Exception e) {
            throw new IllegalStateException("evaluating " + expression, e);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode json = MAPPER.readTree(text.toString());
                    CompletableFuture<JsonNode> f = pending.remove(json.path("id").asInt(-1));
                    if (f != null) {
                        f.complete(json);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    text.setLength(0);
                }
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
