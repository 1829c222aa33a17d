package dev.tandem.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/** A node as a real OS process from target/tandem.jar: started, killed with SIGKILL or SIGTERM, reaped. */
public final class NodeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

    private final String name;
    private final List<String> args;
    private final Path log;
    private Process process;
    private URI uri;
    private long logOffset;

    private NodeProcess(String name, List<String> args, Path log) {
        this.name = name;
        this.args = List.copyOf(args);
        this.log = log;
    }

    /** The jar the build made; set by failsafe as -Dtandem.jar. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("tandem.jar", "target/tandem.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn -B verify` (the package phase builds it)");
        }
        return jar;
    }

    public static NodeProcess start(String name, Path logDir, String... args) {
        NodeProcess p = new NodeProcess(name, List.of(args), logDir.resolve(name + ".log"));
        p.launch();
        return p;
    }

    /** Starts the same node again (after a kill), appending to its log. */
    public void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch();
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
                "-jar", jar().toString()));
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            logOffset = Files.readString(log).length();
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            // If the test JVM itself is stopped (timeout, Ctrl-C), the node goes with it.
            Process started = process;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        uri = null;
    }

    /** Waits for the "listening on" line of this run and returns the node's URL. */
    public URI awaitListening(Duration timeout) {
        Awaitility.await(name + " listening").atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            return listeningSinceLaunch() != null;
        });
        uri = URI.create(listeningSinceLaunch().replace("0.0.0.0", "127.0.0.1"));
        return uri;
    }

    private String listeningSinceLaunch() {
        String text = readLog();
        Matcher m = LISTENING.matcher(text.length() > logOffset ? text.substring((int) logOffset) : "");
        return m.find() ? m.group(1) : null;
    }

    public URI uri() {
        return uri;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** kill -9: no drain, no goodbye to the cluster. */
    public void kill9() {
        process.destroyForcibly();
        waitExit(Duration.ofSeconds(20));
    }

    /** SIGTERM: the node drains. */
    public void terminate() {
        process.destroy();
    }

    public int waitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " did not exit within " + timeout + ":\n" + tail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String readLog() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public String tail() {
        String text = readLog();
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
