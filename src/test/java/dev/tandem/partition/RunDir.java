package dev.tandem.partition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.eclipse.jetty.util.IO;

/**
 * The run's scratch directory (node logs, workload output, history). Removed at close; a failed
 * run, or one whose JVM is stopped before it ends, first copies its files to
 * target/partition-logs/NAME so they can be read afterwards ({@code -Dtandem.keepPartitionLogs=true}:
 * a passing run's too, to compare).
 */
final class RunDir implements AutoCloseable {
    private final Path dir;
    private final Thread hook = new Thread(() -> finish(false), "partition-rundir-cleanup");
    private volatile String name;
    private boolean passed;
    private boolean finished;

    RunDir() {
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "tandem-partition");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        name = dir.getFileName().toString();
        Runtime.getRuntime().addShutdownHook(hook);
    }

    Path path() {
        return dir;
    }

    /** The name the logs are kept under on failure (the lab's prefix). */
    void name(String name) {
        this.name = name;
    }

    void passed() {
        passed = true;
    }

    @Override
    public void close() {
        finish(passed);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private synchronized void finish(boolean ok) {
        if (finished) {
            return;
        }
        finished = true;
        if (!ok || Boolean.getBoolean("tandem.keepPartitionLogs")) {
            keepLogs();
        }
        if (!IO.delete(dir)) {
            System.out.println("[partition] could not remove " + dir);
        }
    }

    private void keepLogs() {
        Path to = Path.of(System.getProperty("tandem.repo", ".")).toAbsolutePath()
                .resolve("target/partition-logs").resolve(name);
        try (Stream<Path> files = Files.list(dir)) {
            Files.createDirectories(to);
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            System.out.println("[partition] logs kept in " + to);
        } catch (IOException e) {
            System.out.println("[partition] could not keep the logs: " + e);
        }
    }
}
