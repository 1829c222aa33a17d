package dev.tandem.partition;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.history.History;
import dev.tandem.testing.history.HistoryChecker.FinalState;
import dev.tandem.testing.history.Op;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/** The test's handle on {@link PartitionWorkloadMain} running in the client namespace. */
final class WorkloadProcess implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern PROGRESS = Pattern.compile("PROGRESS completed=(\\d+)");

    private final Path dir;
    private final Path log;
    private final Process process;
    private final Writer commands;

    private WorkloadProcess(Path dir, Path log, Process process) {
        this.dir = dir;
        this.log = log;
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** {@code loginClient}: the client that also logs in (alone on its session), or -1 for none. */
    static WorkloadProcess start(NodeNamespaces lab, List<URI> targets, int clients, int sessions, int ops,
                                 Duration max, Path dir, int loginClient) {
        String cp = Path.of(System.getProperty("tandem.repo", ".")).toAbsolutePath().resolve("target/test-classes")
                + ":" + NodeProcess.jar().toAbsolutePath();
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // A client, not a server: small heap, quick start.
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
                "-cp", cp, PartitionWorkloadMain.class.getName(),
                "--clients", Integer.toString(clients), "--sessions", Integer.toString(sessions),
                "--ops", Integer.toString(ops), "--seconds", Long.toString(max.toSeconds()),
                "--out", dir.toString(), "--login-client", Integer.toString(loginClient)));
        targets.forEach(t -> java.addAll(List.of("--target", t.toString())));
        Path log = dir.resolve("workload.log");
        try {
            Process p = new ProcessBuilder(lab.inNamespace(lab.clientNs(), java))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new WorkloadProcess(dir, log, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one command line (mark NAME, stop, final). */
    void send(String command) {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("workload gone:\n" + output(), e);
        }
    }

    /** Operations completed so far, from the last progress line. */
    long progress() {
        long last = 0;
        Matcher m = PROGRESS.matcher(output());
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    void awaitLine(String prefix, Duration within) {
        Awaitility.await("workload prints " + prefix).atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
            String out = output();
            if (!process.isAlive() && !out.contains(prefix)) {
                throw new IllegalStateException("workload exited " + process.exitValue() + ":\n" + tail(out));
            }
            return out.lines().anyMatch(l -> l.startsWith(prefix));
        });
    }

    History history() throws IOException {
        History h = new History();
        for (String line : Files.readAllLines(dir.resolve("history.jsonl"))) {
            if (!line.isBlank()) {
                h.add(MAPPER.readValue(line, Op.class));
            }
        }
        return h;
    }

    Map<String, Long> marks() throws IOException {
        return MAPPER.readValue(dir.resolve("marks.json").toFile(), new TypeReference<>() {});
    }

    /** Per target URL, the final state of each session it could read. */
    Map<String, Map<String, FinalState>> finals() throws IOException {
        return MAPPER.readValue(dir.resolve("finals.json").toFile(), new TypeReference<>() {});
    }

    /** Per target URL, how long reading every session took (ms). */
    Map<String, Long> finalReadMillis() throws IOException {
        return MAPPER.readValue(dir.resolve("final-read-ms.json").toFile(), new TypeReference<>() {});
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String text) {
        return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
