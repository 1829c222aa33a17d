package dev.tandem.vagrant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything about vagrant/ that can be proven without a VM (vagrant validate for several node
 * counts, shellcheck, haproxy -c, keepalived -t, systemd-analyze verify): vagrant/test/static-checks.sh,
 * which skips missing tools outside CI and fails on them under CI=true.
 */
class VagrantStaticChecksIT {

    @Test
    void theVagrantLabPassesItsStaticChecks(@TempDir Path dir) throws Exception {
        Path script = Path.of(System.getProperty("tandem.repo", ".")).toAbsolutePath().resolve("vagrant/test/static-checks.sh");
        Path out = dir.resolve("static-checks.out");
        Process p = new ProcessBuilder(script.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("static checks finished").isTrue();
        String text = Files.readString(out);
        // Quiet when green: the summary line only; every check's line is in the failure message.
        java.util.regex.Matcher summary = java.util.regex.Pattern.compile("static-checks: \\d+ passed.*").matcher(text);
        System.out.println("[vagrant static checks] " + (summary.find() ? summary.group() : "no summary line"));
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).as(text).containsPattern("[1-9]\\d* passed, 0 failed");
    }
}
