package dev.tandem.lab;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.Scripts;
import dev.tandem.testing.TestHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.eclipse.jetty.util.IO;

/**
 * The local lab exactly as users run it (bin/tandem-lab), in a temp run dir on its own loopback
 * net so it never meets a lab the user has running. close() stops it and removes the dir, and
 * fails if any process started in that dir (a node, HAProxy, a browser) outlived the lab's down,
 * after killing it and its children.
 */
public final class LocalLab implements AutoCloseable {
    static final String NET = "127.0.7";
    static final int HTTP_PORT = 18080;

    private final Path dir;
    private final Map<String, String> env = new HashMap<>();
    public final HaproxyRuntime haproxy;

    private final String net;
    /** A test JVM stopped before close() (a CI timeout, Ctrl-C) must not leave the lab running. */
    private final Thread downOnExit = new Thread(this::downNow, "local-lab-down-on-exit");

    /** A lab of 3 nodes on the default test net, in a new /tmp dir named PREFIX... */
    LocalLab(String prefix) throws IOException {
        this(prefix, NET, 3);
    }

    /**
     * A lab on its own loopback net (127.0.X) with the given number of nodes, in a new dir
     * /tmp/PREFIX...: a short path, since HAProxy's socket lives in it and unix socket paths are
     * limited to ~100 bytes.
     */
    public LocalLab(String prefix, String net, int nodes) throws IOException {
        this.dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
        this.net = net;
        env.put("TANDEM_LAB_DIR", dir.toString());
        env.put("TANDEM_LAB_NET", net);
        env.put("TANDEM_LAB_HTTP_PORT", Integer.toString(HTTP_PORT));
        env.put("TANDEM_LAB_CLUSTER_PORT", "17800");
        env.put("TANDEM_LAB_STATS_PORT", "18404");
        env.put("TANDEM_LAB_NODES", Integer.toString(nodes));
        env.put("TANDEM_JAR", NodeProcess.jar().toAbsolutePath().toString());
        env.put("TANDEM_LAB_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true");
        // The lab's tests drive the VIP from one address (127.0.0.1) at hundreds of requests and dozens of
        // new sessions a second (load drivers, failovers re-issuing cookies): limits far above that, so
        // they are in the config and cost what they cost, but never refuse a test's request.
        // EdgeLimitsIT checks the limits themselves.
        env.put("TANDEM_EDGE_REQ_RATE", "100000");
        env.put("TANDEM_EDGE_SESSION_RATE", "1000000");
        env.put("TANDEM_STATS_USER", "test");
        env.put("TANDEM_STATS_PASSWORD", "test-" + System.nanoTime());
        this.haproxy = new HaproxyRuntime(dir.resolve("haproxy.sock"));
        Runtime.getRuntime().addShutdownHook(downOnExit);
    }

    /** The lab's run dir (its logs, pids and HAProxy's socket); removed by close(). */
    public Path dir() {
        return dir;
    }

    static Path repo() {
        return Path.of(System.getProperty("tandem.repo", ".")).toAbsolutePath();
    }

    public URI vip() {
        return URI.create("http://" + net + ".10:" + HTTP_PORT);
    }

    public URI node(String name) {
        return URI.create("http://" + net + "." + (10 + Integer.parseInt(name.substring(1))) + ":" + HTTP_PORT);
    }

    public List<String> nodes() {
        return List.of("n1", "n2", "n3");
    }

    /** Runs bin/tandem-lab with the lab's environment; returns its output, failing on a non-zero exit. */
    public String lab(Duration timeout, String... args) {
        Scripts.Result r = runLab(env, timeout, args);
        if (r.exit() != 0) {
            throw new AssertionError("bin/tandem-lab " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }

    public void up() {
        lab(Duration.ofMinutes(4), "up");
        awaitAllUp();
    }

    /** Every node ready, UP in HAProxy and in a cluster of three. */
    void awaitAllUp() {
        Awaitility.await("3 nodes UP in HAProxy and clustered").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
                    for (String n : nodes()) {
                        if (!haproxy.status(n).equals("UP")
                                || new TestHttp(node(n)).get("/api/node").json().get("members").size() != 3) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** Copies the lab's logs (nodes, HAProxy) to target/test-logs/NAME, for a failed test to be read later. */
    public void keepLogs(String name) {
        Path to = Path.of("target", "test-logs", name);
        try (var files = Files.walk(dir.resolve("logs"))) {
            Files.createDirectories(to);
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("could not keep the lab's logs in " + to + ": " + e);
        }
    }

    /** The process id bin/tandem-lab recorded for a node. */
    public long pid(String node) {
        try {
            return Long.parseLong(Files.readString(dir.resolve("pids/" + node + ".pid")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a node's process a signal (STOP freezes it, CONT thaws it). */
    public void signal(String node, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid(node))).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + node + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Thaws and starts any node that is not running (after a test froze or stopped one). */
    public void heal() {
        for (String n : nodes()) {
            try {
                signal(n, "CONT");
            } catch (RuntimeException e) {
                // not running: started below
            }
        }
        for (String n : nodes()) {
            boolean alive;
            try {
                alive = new TestHttp(node(n)).timeout(Duration.ofSeconds(2)).get("/health/live").status() == 200;
            } catch (RuntimeException e) {
                alive = false;
            }
            if (!alive) {
                lab(Duration.ofMinutes(3), "start", n);
            }
        }
        awaitAllUp();
    }

    @Override
    public void close() {
        try {
            lab(Duration.ofMinutes(2), "down");
        } catch (RuntimeException | Error e) {
            AssertionError leftover = removeWhatIsLeft();
            if (leftover != null) {
                e.addSuppressed(leftover);
            }
            throw e;
        }
        AssertionError leftover = removeWhatIsLeft();
        if (leftover != null) {
            throw leftover;
        }
    }

    /**
     * After the lab's down: kills any process started in the lab's dir (and its children), removes
     * the dir, and names what was left (null when nothing was).
     */
    private AssertionError removeWhatIsLeft() {
        try {
            Runtime.getRuntime().removeShutdownHook(downOnExit);
        } catch (IllegalStateException exiting) {
            // the hook is running or about to: nothing to remove
        }
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dir.toString())).toList();
        List<String> seen = left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        List<ProcessHandle> all = left.stream().flatMap(p -> Stream.concat(p.descendants(), Stream.of(p))).toList();
        all.forEach(ProcessHandle::destroyForcibly);
        all.forEach(p -> p.onExit().completeOnTimeout(p, 10, TimeUnit.SECONDS).join());
        IO.delete(dir);
        return left.isEmpty() ? null : new AssertionError("processes left by the lab (now killed): " + seen);
    }

    /** The lab's own "down", with 5 s for the nodes to drain before SIGKILL: the JVM is exiting. */
    private void downNow() {
        Map<String, String> quick = new HashMap<>(env);
        quick.put("TANDEM_LAB_STOP_TIMEOUT", "5");
        runLab(quick, Duration.ofSeconds(30), "down");
    }

    /** Runs bin/tandem-lab with these arguments and environment; its output goes to a file in the lab's dir. */
    private Scripts.Result runLab(Map<String, String> environment, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo().resolve("bin/tandem-lab").toString());
        cmd.addAll(List.of(args));
        return Scripts.run(cmd, environment, dir.resolve("lab-" + args[0] + "-" + System.nanoTime() + ".out"), timeout);
    }
}
