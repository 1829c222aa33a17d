package dev.tandem.testing;

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
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.eclipse.jetty.util.IO;

/**
 * A headless Chromium with one page, driven over the DevTools protocol (JSON over the JDK's own
 * WebSocket client): open a URL, evaluate script in the page, take a screenshot. The page lives as
 * long as the browser, so it watches what happens the way a user's open tab would. No host name
 * resolves (host-resolver-rules) and background networking is off: it reaches 127.x addresses only.
 */
public final class Chromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:(\\d+)/\\S+)");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final ObjectMapper json = new ObjectMapper();
    private final Process process;
    private final Path profile;
    private final Path scratch;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private WebSocket page;

    private Chromium(Process process, Path profile, Path scratch) {
        this.process = process;
        this.profile = profile;
        this.scratch = scratch;
    }

    /** Starts the browser (its log in dir/chromium.log) with an empty page of the given size. */
    public static Chromium start(Path dir, int width, int height) throws IOException {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        Path log = dir.resolve("chromium.log");
        ProcessBuilder builder = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.*", "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // Chromium leaves its singleton socket's dir (org.chromium.Chromium.*) in TMPDIR when stopped;
        // a dir of our own, removed on close, and a short one: the socket's path must fit in 108 bytes.
        Path scratch = Files.createTempDirectory("chromium");
        builder.environment().put("TMPDIR", scratch.toString());
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            IO.delete(scratch);
            throw e;
        }
        Chromium browser = new Chromium(p, profile, scratch);
        try {
            browser.connect(log);
            return browser;
        } catch (RuntimeException | Error e) {
            browser.close();
            throw e;
        }
    }

    private void connect(Path log) {
        Matcher m = Awaitility.await("chromium's DevTools address in " + log).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> LISTENING.matcher(Files.readString(log)), Matcher::find);
        HttpClient http = HttpClient.newHttpClient();
        URI list = URI.create("http://127.0.0.1:" + m.group(2) + "/json/list");
        String target = Awaitility.await("chromium's page target").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> {
                    JsonNode targets = json.readTree(http.send(HttpRequest.newBuilder(list).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                    for (JsonNode t : targets) {
                        if (t.path("type").asText().equals("page")) {
                            return t.path("webSocketDebuggerUrl").asText();
                        }
                    }
                    return null;
                }, t -> t != null && !t.isEmpty());
        page = http.newWebSocketBuilder().buildAsync(URI.create(target), new Replies()).join();
    }

    public void open(String url) {
        call("Page.navigate", Map.of("url", url));
    }

    /** The value of a script expression evaluated in the page (a JSON value; a promise is awaited). */
    public JsonNode eval(String expression) {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("script failed: " + expression + ": " + r.path("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    public void screenshot(Path png) throws IOException {
        String data = call("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        Files.write(png, Base64.getDecoder().decode(data));
    }

    private JsonNode call(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        ObjectNode msg = json.createObjectNode().put("id", id).put("method", method);
        msg.set("params", json.valueToTree(params));
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            page.sendText(json.writeValueAsString(msg), true).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            JsonNode r = reply.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (r.has("error")) {
                throw new AssertionError(method + ": " + r.path("error"));
            }
            return r.path("result");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(method + " got no answer from chromium within " + CALL_TIMEOUT, e);
        } finally {
            pending.remove(id);
        }
    }

    /** Collects (possibly fragmented) text frames and hands each reply to the call waiting for its id. */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode msg = json.readTree(text.toString());
                    CompletableFuture<JsonNode> waiting = msg.has("id") ? pending.get(msg.get("id").asInt()) : null;
                    if (waiting != null) {
                        waiting.complete(msg);
                    }
                } catch (IOException e) {
                    // not JSON: not a reply to us
                }
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        if (page != null) {
            page.abort();
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IO.delete(profile); // best effort: the test's temp dir is removed after
        IO.delete(scratch);
    }
}
