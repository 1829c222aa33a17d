package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar as a shell script sees it: what it prints, where, and its exit code. No node is started. */
class CommandLineIT {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private Run jar(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of(System.getProperty("tandem.jar", "target/tandem.jar")).toString()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("TANDEM_"));
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the jar answers within 60 s").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void printNodeNamePrintsOnlyTheNameAndExitsZero() throws Exception {
        Run r = jar("--print-node-name", "--node", "n7");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("n7" + System.lineSeparator());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void printNodeNameReadsTheConfigFileLikeTheNode() throws Exception {
        Path file = Files.writeString(dir.resolve("tandem.properties"), "node=from-file\npeers=app1,app2:7801\n");
        Run r = jar("--config", file.toString(), "--print-node-name");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("from-file");
    }

    @Test
    void aPortThatIsNotANumberIsOneLineOnStderrAndExitTwo() throws Exception {
        Run r = jar("--port", "abc");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).containsExactly("tandem: invalid --port: 'abc' is not a whole number", "tandem: see --help");
    }

    @Test
    void aMalformedPeerIsExplainedWithoutALogLineFromJetty() throws Exception {
        Run r = jar("--peers", "app1,app2:0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).as("nothing logged").isEmpty();
        assertThat(r.err()).startsWith("tandem: invalid --peers: 'app2:0' has no valid port (1-65535); a member is HOST[:PORT]");
    }
}
