package dev.tandem.lab;

import dev.tandem.testing.FreePorts;
import dev.tandem.testing.Scripts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real HAProxy running the one template (haproxy/render-haproxy.sh) in front of the given
 * servers, on loopback: the VIP as a client meets it, without the rest of the lab.
 */
final class Edge implements AutoCloseable {
    static final String STATS_USER = "edge";
    final String statsPassword = "edge-" + System.nanoTime();
    final URI vip;
    final URI stats;
    final HaproxyRuntime runtime;
    private final Process process;

    /**
     * Renders for nodes (name → host:port) with the extra renderer arguments, checks with
     * {@code haproxy -c}, starts HAProxy and waits until every server is UP. dir must be short
     * (the runtime socket lives in it).
     */
    Edge(Path dir, String host, Map<String, String> nodes, String... renderArgs) {
        int vipPort = FreePorts.httpPort(host);
        int statsPort = FreePorts.httpPort(host); // never vipPort: FreePorts hands a port out once
        vip = URI.create("http://" + host + ":" + vipPort);
        stats = URI.create("http://" + host + ":" + statsPort);
        Path socket = dir.resolve("haproxy.sock");
        runtime = new HaproxyRuntime(socket);
        List<String> render = new ArrayList<>(List.of(LocalLab.repo().resolve("haproxy/render-haproxy.sh").toString(),
                "--bind", host + ":" + vipPort, "--stats-bind", host + ":" + statsPort, "--socket", socket.toString(), "--agent-port", "+100"));
        nodes.forEach((name, addr) -> render.addAll(List.of("--node", name + "=" + addr)));
        render.addAll(List.of(renderArgs));
        Scripts.Result rendered = Scripts.run(render, Map.of(), dir.resolve("render.out"), Duration.ofSeconds(30));
        if (rendered.exit() != 0) {
            throw new IllegalStateException("render-haproxy.sh failed:\n" + rendered.output());
        }
        Path cfg = dir.resolve("haproxy.cfg");
        Map<String, String> env = Map.of("TANDEM_STATS_USER", STATS_USER, "TANDEM_STATS_PASSWORD", statsPassword);
        try {
            Files.writeString(cfg, rendered.output());
            Scripts.Result check = Scripts.run(List.of("haproxy", "-c", "-f", cfg.toString()), env,
                    dir.resolve("check.out"), Duration.ofSeconds(30));
            if (check.exit() != 0) {
                throw new IllegalStateException("haproxy -c refused the rendered config:\n" + check.output());
            }
            ProcessBuilder pb = new ProcessBuilder("haproxy", "-f", cfg.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("haproxy.log").toFile());
            pb.environment().putAll(env);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        try {
            Awaitility.await("HAProxy up with every server UP").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("haproxy exited:\n" + Files.readString(dir.resolve("haproxy.log")));
                        }
                        return nodes.keySet().stream().allMatch(n -> runtime.status(n).equals("UP"));
                    });
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Requests HAProxy has sent to the server so far (its session count: one per request, kept-alive or not). */
    long forwarded(String server) {
        return runtime.sessionsTotal(server);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
