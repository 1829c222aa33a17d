package dev.tandem.vagrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Vagrant lab on real VMs (vagrant/test/real-vms.sh): box, private libvirtd in a network namespace,
 * `vagrant up`, the failover walkthrough through the VIP, teardown. Opt-in with -Dtandem.realvms=true
 * (about 25 minutes of both cores under emulation); the script's own table of figures is the output.
 */
class RealVmsIT {
    private static final long LIMIT_MINUTES = 45;

    @Test
    void theVagrantLabOnRealVmsPassesTheFailoverWalkthrough() throws IOException, InterruptedException {
        assumeTrue(Boolean.getBoolean("tandem.realvms"), "real VMs are opt-in: mvn -B verify -Dtandem.realvms=true");
        Requirements.root();
        Path repo = Path.of(System.getProperty("tandem.repo", "."));
        Path log = repo.resolve("target/real-vms-it.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder("bash", repo.resolve("vagrant/test/real-vms.sh").toString(),
                "--nodes", System.getProperty("tandem.realvms.nodes", "2"),
                "--deploy", System.getProperty("tandem.realvms.deploy", "jar"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Process script = pb.start();
        if (!script.waitFor(LIMIT_MINUTES, TimeUnit.MINUTES)) {
            script.destroy(); // SIGTERM: the script's trap destroys the VMs, libvirtd and the namespace
            if (!script.waitFor(5, TimeUnit.MINUTES)) {
                script.destroyForcibly();
            }
            throw new AssertionError("real-vms.sh took over " + LIMIT_MINUTES + " min; see " + log);
        }
        Path results = repo.resolve("target/real-vms/results.txt");
        String table = Files.exists(results) ? Files.readString(results) : "(no results.txt)";
        System.out.println("real VMs: " + table.lines().filter(l -> l.startsWith("total")).findFirst().orElse("no total line"));
        assertThat(script.exitValue()).as("real-vms.sh exit; figures:\n%s\nlog: %s", table, log).isZero();
        assertThat(table).doesNotContain("| FAIL |").contains("redeploy     | ok");
    }
}
