package dev.tandem.startup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/tandem-class-archive makes an archive the JVM then really maps the node's classes from, and keeps one while it fits. */
class ClassArchiveIT {

    /** One archive for the whole life of one (a training start takes seconds): made, mapped, kept, then stale. */
    @Test
    void anArchiveIsMadeThatTheNodeMapsItsClassesFromKeptWhileItFitsAndNotNamedFitForANewBuild(@TempDir Path dir)
            throws Exception {
        Path script = Path.of(System.getProperty("tandem.repo", ".")).resolve("bin/tandem-class-archive");
        Path jar = Files.copy(NodeProcess.jar(), dir.resolve("tandem.jar"));
        Path archive = dir.resolve("tandem.jsa");
        assertThat(exit(dir.resolve("check-none.log"), script.toString(), "--check", jar.toString(), archive.toString()))
                .as("no archive yet").isEqualTo(1);

        String made = run(dir.resolve("make.log"), 120, script.toString(), jar.toString(), archive.toString(), "-Xmx256m");
        assertThat(archive).isNotEmptyFile();
        assertThat(made).contains("class archive for");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String loads = run(dir.resolve("load.log"), 60, java, "-Xmx256m", "-XX:SharedArchiveFile=" + archive,
                "-Xlog:class+load=info", "-jar", jar.toString(), "--help");
        assertThat(loads).as("no archive warning").doesNotContain("Unable to use shared archive");
        assertThat(loads.lines().filter(l -> l.contains(" dev.tandem.") && l.contains("shared objects file (top)")))
                .as("our classes mapped from the archive").isNotEmpty();

        FileTime madeAt = Files.getLastModifiedTime(archive);
        assertThat(exit(dir.resolve("check.log"), script.toString(), "--check", jar.toString(), archive.toString(), "-Xmx256m"))
                .isZero();
        assertThat(run(dir.resolve("again.log"), 60, script.toString(), jar.toString(), archive.toString(), "-Xmx256m"))
                .contains("fits, kept");
        assertThat(Files.getLastModifiedTime(archive)).as("not made again").isEqualTo(madeAt);

        // A new build at the same path: the JVM no longer maps the archive, and the check says so.
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        assertThat(exit(dir.resolve("check-stale.log"), script.toString(), "--check", jar.toString(), archive.toString(), "-Xmx256m"))
                .isEqualTo(1);
    }

    private static String run(Path log, int seconds, String... cmd) throws Exception {
        Process p = start(log, seconds, cmd);
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static int exit(Path log, String... cmd) throws Exception {
        return start(log, 60, cmd).exitValue();
    }

    private static Process start(Path log, int seconds, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        return p;
    }
}
