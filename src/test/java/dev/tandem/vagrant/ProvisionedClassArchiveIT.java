package dev.tandem.vagrant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.Requirements;
import dev.tandem.testing.Scripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app VMs' class archive (vagrant/provision/lib-app.sh) when none can be made: the node must then
 * start without one, since a missing archive named to the JVM turns off the JDK's own archive too.
 * The archive made and mapped: VagrantLabInNamespacesIT; the script itself: ClassArchiveIT.
 */
class ProvisionedClassArchiveIT {
    private static final Path LIB = Path.of(System.getProperty("tandem.repo", ".")).toAbsolutePath()
            .resolve("vagrant/provision/lib.sh");

    private static Scripts.Result bash(Path dir, String script, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", "-c", ". \"$0\"; " + script, LIB.toString()));
        cmd.addAll(List.of(args));
        return Scripts.run(cmd, Map.of(), dir.resolve("bash-" + System.nanoTime() + ".out"), Duration.ofMinutes(1));
    }

    @Test
    void whenTheTrainingStartFailsNoArchiveIsLeftAndTheRenderedNodeNamesNone(@TempDir Path dir) throws Exception {
        Requirements.root("the training start runs as the node's user");
        Path notAJar = Files.writeString(dir.resolve("tandem.jar"), "not a jar");
        Path archive = Files.writeString(dir.resolve("tandem.jsa"), "an archive of an earlier build");
        Path env = Files.writeString(dir.resolve("tandem.env"), "JAVA_OPTS=-Xmx64m -XX:SharedArchiveFile=" + archive + "\n");

        Scripts.Result r = bash(dir, "tandem_app_class_archive \"$1\" \"$2\" root \"$3\"; echo \"rc=$?\"",
                notAJar.toString(), archive.toString(), env.toString());

        assertThat(r.output()).contains("rc=1").contains("no class archive, the node starts without one");
        assertThat(archive).as("the old archive no longer fits: removed").doesNotExist();
    }

    @Test
    void aRenderedNodeNamesTheArchiveOnlyWhenGivenOne(@TempDir Path dir) throws Exception {
        String render = "tandem_app_render \"$1\" \"\" NODE=app1 IP=192.168.56.11 APP_IPS=192.168.56.11 "
                + "LB_IPS=192.168.56.2,192.168.56.3 VIP=192.168.56.10 CLASS_ARCHIVE=\"$2\"";
        Scripts.Result with = bash(dir, render, dir.resolve("with").toString(), "/opt/tandem/tandem.jsa");
        Scripts.Result without = bash(dir, render, dir.resolve("without").toString(), "");
        assertThat(with.exit()).as(with.output()).isZero();
        assertThat(without.exit()).as(without.output()).isZero();

        assertThat(Files.readString(dir.resolve("with/etc/tandem/tandem.env")))
                .containsPattern("(?m)^JAVA_OPTS=.* -XX:SharedArchiveFile=/opt/tandem/tandem.jsa$");
        assertThat(Files.readString(dir.resolve("without/etc/tandem/tandem.env"))).doesNotContain("SharedArchiveFile");
    }
}
