package dev.tandem.war;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.ApiChecks;
import dev.tandem.testing.FreePorts;
import dev.tandem.testing.RawHttp;
import dev.tandem.testing.TestCredentials;
import dev.tandem.testing.TestHttp;
import dev.tandem.testing.history.HistoryChecker;
import dev.tandem.testing.history.SessionWorkload;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/tandem.war in the stock Jetty 12.1 distribution (target/jetty-home), with the jetty-base
 * made by bin/tandem-jetty-base: two WAR nodes cluster and share sessions like jar nodes do, and
 * serve the real-time API (long polls and SSE, events fanned out between them).
 */
class WarInJettyDistributionIT {
    private static final String HOST = "127.0.0.1";
    private final List<Process> jetties = new ArrayList<>();

    @AfterEach
    void stopJetties() throws InterruptedException {
        for (Process p : jetties) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void twoWarNodesInJettyServeTheApiAndShareSessions(@TempDir Path dir) throws Exception {
        int c1 = FreePorts.clusterPort(HOST);
        int c2 = FreePorts.clusterPort(HOST);
        String peers = HOST + ":" + c1 + "," + HOST + ":" + c2;
        // w1 warms up before it says it is ready, as a jar node does (the other nodes of the ITs skip it: TANDEM_WARMUP_SECONDS=0).
        WarNode n1 = startWarNode(dir, "w1", c1, peers, "--warmup-seconds", "8");
        // w2 trusts a balancer that is not this test: forwarding headers from here must be ignored.
        WarNode n2 = startWarNode(dir, "w2", c2, peers, "--trusted-proxies", "192.0.2.1/32",
                "--events-write-timeout=5", "--stop-timeout", "20");
        assertThat(Files.readString(dir.resolve("w2/start.d/tandem-node.ini"))).as("--stop-timeout reaches Jetty")
                .contains("jetty.server.stopTimeout=20000");
        // Neither is ready alone: a node serves sessions once a majority of the configured nodes is in its view.
        URI w1 = n1.awaitReady();
        assertThat(Files.readString(n1.log())).as("w1's log when it first answered ready")
                .containsPattern("warmed up in \\d+ ms .*: [1-9]\\d* requests through the node's own stack \\(0 failed\\)");
        URI w2 = n2.awaitReady();
        assertThat(Files.readString(n2.log())).as("w2's log (no pass asked for)").doesNotContain("warmed up in");

        TestHttp user = new TestHttp(w1);
        TestHttp.Reply first = user.post("/api/session/counter", null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.node()).isEqualTo("w1");
        assertThat(user.sessionId()).endsWith(".w1");
        assertThat(first.setCookies().get(0)).contains("HttpOnly").containsIgnoringCase("SameSite=Lax");
        assertThat(user.post("/api/cart/items", "{\"sku\":\"mug\",\"qty\":1}").status()).isEqualTo(201);

        TestHttp.Reply onW2 = user.at(w2).get("/api/session");
        assertThat(onW2.node()).isEqualTo("w2");
        assertThat(onW2.json().get("counter").asLong()).as("session shared between WAR nodes").isEqualTo(1);
        assertThat(Files.readString(n2.log())).as("w2's log: its GETs share the session's lock (the rule reached the layer)")
                .contains("GETs of a session share its lock on this node");
        assertThat(user.post("/api/session/counter", null).json().get("value").asLong()).isEqualTo(2);
        assertThat(user.at(w1).get("/api/cart").json().get("totalQuantity").asInt()).isEqualTo(1);

        // The web layer's rules, through the one wiring: random ids, no id in bodies, cross-site and
        // non-JSON writes refused, the session cap counting the server-side layer's sessions.
        assertThat(user.sessionId()).matches("[A-Za-z0-9_-]{24}\\.w[12]");
        assertThat(onW2.json().has("id")).isFalse();
        TestHttp.Reply crossSite = ApiChecks.raw(w1, user.sessionId(), "POST", "/api/session/counter", null,
                "Origin", "https://evil.example");
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.json().get("error").asText()).isEqualTo("cross_site_request");
        assertThat(ApiChecks.raw(w2, user.sessionId(), "POST", "/api/session/counter", "a=b",
                "Content-Type", "application/x-www-form-urlencoded").status()).isEqualTo(415);
        assertThat(user.get("/api/session").json().get("counter").asLong()).as("refusals changed nothing").isEqualTo(2);
        assertThat(new TestHttp(w1).get("/metrics").body()).containsPattern("tandem_sessions_max\\{[^}]*\\} [1-9]");
        for (URI w : List.of(w1, w2)) {
            String answer = exchange(w, "GET /api/session HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=" + user.sessionId()
                    + "\r\nX-Pad: " + "p".repeat(9000) + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as("a header flood on %s", w).startsWith("HTTP/1.1 431")
                    .doesNotContain(user.sessionId().substring(0, 24));
            answer = exchange(w, "GET /api/%C3%28 HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=" + user.sessionId()
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as("bad UTF-8 on %s", w).startsWith("HTTP/1.1 400")
                    .doesNotContain(user.sessionId().substring(0, 24));
        }

        // An answer written before its request's body arrived says Connection: close (module tandem-overload).
        try (RawHttp raw = new RawHttp(w2)) {
            String answer = raw.exchange("POST /api/session/counter HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID="
                    + user.sessionId() + "\r\nContent-Type: application/json\r\nContent-Length: 2", null, Duration.ZERO);
            assertThat(answer).as("a counter write whose body never came").startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("\r\nConnection: close\r\n");
        }
        assertThat(new TestHttp(w2).get("/api/node").json().get("members")).hasSize(2);
        TestHttp.Reply bad = new TestHttp(w1).post("/api/cart/items", "{\"sku\":");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).isEqualTo("bad_json");
        assertThat(new TestHttp(w1).get("/metrics").body()).contains("http_server_requests");

        // X-Forwarded-Proto is believed from a trusted proxy only, as on jar nodes.
        assertThat(new TestHttp(w1).send("POST", "/api/session/counter", null, "X-Forwarded-Proto", "https")
                .setCookies().get(0)).as("loopback is trusted by default").contains("Secure");
        assertThat(new TestHttp(w2).send("POST", "/api/session/counter", null, "X-Forwarded-Proto", "https")
                .setCookies().get(0)).as("an untrusted sender cannot forge HTTPS").doesNotContain("Secure");

        // The real-time API in the WAR: a message posted on w2 reaches a stream on w1 and a long poll on w2.
        long cursor = user.at(w2).get("/api/events?channel=room:war").json().get("cursor").asLong();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(HttpRequest.newBuilder(
                w2.resolve("/api/events?channel=room:war&wait=20&after=" + cursor)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(w1.resolve("/api/events/stream?channel=room:war"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(stream.statusCode()).isEqualTo(200);
            CompletableFuture<String> heard = CompletableFuture.supplyAsync(() -> untilLine(lines, "from w2"));
            assertThat(user.at(w2).post("/api/rooms/war/messages", "{\"text\":\"from w2\"}").status()).isEqualTo(201);
            assertThat(heard.get(20, TimeUnit.SECONDS)).as("the stream on w1").contains("\"node\":\"w2\"");
        }
        HttpResponse<String> answered = poll.get(20, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).as("the long poll on w2").isEqualTo(200);
        assertThat(answered.body()).contains("from w2");

        // The jar's session layer: four clients on one session across both WAR nodes lose nothing.
        List<URI> both = List.of(w1, w2);
        SessionWorkload w = new SessionWorkload(4, 1, i -> List.of(both.get(i % 2), both.get((i + 1) % 2)),
                i -> SessionWorkload.Mix.INCREMENTS_AND_READS, 100, Duration.ofSeconds(60));
        HistoryChecker.Report report = HistoryChecker.check(w.run(), w.finalStates(both, Duration.ofSeconds(20)));
        System.out.printf("[WAR, 4 clients, 1 session, 2 nodes] %s%n", report.summary());
        assertThat(report.problems()).as("history problems").isEmpty();
        assertThat(report.acknowledged()).isEqualTo(400);
    }

    /** Reads SSE lines until one contains the text; that line, or null at the end of the stream. */
    private static String untilLine(BufferedReader lines, String text) {
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Both WAR nodes hold the same cluster credentials, made once per test directory. */
    private static Path credentials(Path dir) {
        Path c = dir.resolve("credentials");
        return Files.exists(c) ? c.toAbsolutePath() : TestCredentials.make(c);
    }

    /** One raw exchange (the JDK client will not send malformed requests). */
    private static String exchange(URI node, String request) throws IOException {
        try (java.net.Socket s = new java.net.Socket(node.getHost(), node.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /** A started WAR node: its address, process and log. */
    private record WarNode(String name, URI uri, Process jetty, Path log) {
        URI awaitReady() {
            Awaitility.await(name + " ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> {
                        if (!jetty.isAlive()) {
                            throw new AssertionError(name + " exited:\n" + Files.readString(log));
                        }
                        return new TestHttp(uri).get("/health/ready").status() == 200;
                    });
            return uri;
        }
    }

    @Test
    void theJettyBaseMakerRefusesAnOptionTheJarRefusesAndNamesIt(@TempDir Path dir) throws Exception {
        Path repo = Path.of(System.getProperty("tandem.repo", "."));
        Process make = new ProcessBuilder(repo.resolve("bin/tandem-jetty-base").toString(), dir.resolve("b").toString(),
                "--node", "w1", "--cluster-insecure", "--events-write-timeout", "0")
                .redirectErrorStream(true).redirectOutput(dir.resolve("make.log").toFile()).start();
        assertThat(make.waitFor(120, TimeUnit.SECONDS)).as("tandem-jetty-base finished").isTrue();
        String out = Files.readString(dir.resolve("make.log"));
        assertThat(make.exitValue()).as(out).isEqualTo(2);
        assertThat(out).contains("--events-write-timeout").contains("refused");
        assertThat(dir.resolve("b/start.d/tandem-node.ini")).doesNotExist();
    }

    private WarNode startWarNode(Path dir, String node, int clusterPort, String peers, String... extra) throws IOException {
        Path repo = Path.of(System.getProperty("tandem.repo", "."));
        Path jettyHome = Path.of(System.getProperty("tandem.jetty.home", "target/jetty-home"));
        Path base = dir.resolve(node);
        int httpPort = FreePorts.httpPort(HOST);
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/tandem-jetty-base").toString(), base.toString(),
                "--node", node, "--host", HOST, "--port", Integer.toString(httpPort), "--peers", peers,
                "--cluster-host", HOST, "--cluster-port", Integer.toString(clusterPort),
                "--cluster-credentials", credentials(dir).toString()));
        cmd.addAll(List.of(extra));
        // An empty local Maven repository: the jetty-base must come together from the build's template
        // alone, as on an offline VM (no jar fetched, from ~/.m2 or the network).
        Path noMavenRepo = Files.createDirectories(dir.resolve("empty-maven-repo"));
        ProcessBuilder maker = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(dir.resolve(node + "-make.log").toFile());
        maker.environment().put("MAVEN_LOCAL_REPO", noMavenRepo.toString());
        Process make = maker.start();
        try {
            assertThat(make.waitFor(120, TimeUnit.SECONDS)).as("tandem-jetty-base finished").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(make.exitValue()).as(Files.readString(dir.resolve(node + "-make.log"))).isZero();
        assertThat(Files.readString(base.resolve("add-modules.log")))
                .as("Jetty fetched nothing while the jetty-base was made").doesNotContainIgnoringCase("download");

        Path log = dir.resolve(node + ".log");
        ProcessBuilder jettyStart = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jettyHome.resolve("start.jar").toString(), "jetty.home=" + jettyHome, "jetty.base=" + base)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        if (List.of(extra).contains("--warmup-seconds")) {
            jettyStart.environment().remove("TANDEM_WARMUP_SECONDS"); // the environment outranks the node's file
        }
        Process jetty = jettyStart.start();
        jetties.add(jetty);
        return new WarNode(node, URI.create("http://" + HOST + ":" + httpPort), jetty, log);
    }
}
