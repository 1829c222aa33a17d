package dev.tandem.dashboard;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.Scripts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bin/tandem-lab as users run it, in a temp run dir on its own loopback net (never a lab the user
 * has running, nor another test's): three nodes and HAProxy.
 */
final class DashboardLab {
    static final int HTTP_PORT = 18080;

    private final Path dir;
    private final String net;
    private final Map<String, String> env;

    DashboardLab(Path dir, String net) {
        this.dir = dir;
        this.net = net;
        this.env = Map.of(
                "TANDEM_LAB_DIR", dir.toString(),
                "TANDEM_LAB_NET", net,
                "TANDEM_LAB_HTTP_PORT", Integer.toString(HTTP_PORT),
                "TANDEM_LAB_CLUSTER_PORT", "17800",
                "TANDEM_LAB_STATS_PORT", "18404",
                "TANDEM_LAB_NODES", "3",
                "TANDEM_JAR", NodeProcess.jar().toAbsolutePath().toString(),
                "TANDEM_LAB_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true",
                "TANDEM_STATS_USER", "test",
                "TANDEM_STATS_PASSWORD", "test-" + System.nanoTime());
    }

    String vip() {
        return "http://" + net + ".10:" + HTTP_PORT;
    }

    /** Runs bin/tandem-lab ARGS; returns its output, failing on a non-zero exit. */
    String run(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("tandem.repo", ".")).toAbsolutePath().resolve("bin/tandem-lab").toString());
        cmd.addAll(List.of(args));
        Scripts.Result r = Scripts.run(cmd, env, dir.resolve("lab-" + args[0] + "-" + System.nanoTime() + ".out"), timeout);
        if (r.exit() != 0) {
            throw new AssertionError("bin/tandem-lab " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }
}
