package dev.tandem.startup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/tandem-class-archive makes an archive the JVM then really maps the node's classes from. */
class ClassArchiveIT {

    @Test
    void aNodeStartedWithTheArchiveLoadsItsOwnClassesFromIt(@TempDir Path dir) throws Exception {
        Path repo = Path.of(System.getProperty("tandem.repo", "."));
        Path jar = NodeProcess.jar().toAbsolutePath();
        Path archive = dir.resolve("tandem.jsa");
        String made = run(dir.resolve("make.log"), 120, repo.resolve("bin/tandem-class-archive").toString(),
                jar.toString(), archive.toString());
        assertThat(archive).isNotEmptyFile();
        assertThat(made).contains("class archive for");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String loads = run(dir.resolve("load.log"), 60, java, "-XX:SharedArchiveFile=" + archive,
                "-Xlog:class+load=info", "-jar", jar.toString(), "--help");
        assertThat(loads).as("no archive warning").doesNotContain("Unable to use shared archive");
        assertThat(loads.lines().filter(l -> l.contains(" dev.tandem.") && l.contains("shared objects file (top)")))
                .as("our classes mapped from the archive").isNotEmpty();
    }

    private static String run(Path log, int seconds, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
