package dev.tandem.vagrant;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.Scripts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** vagrant/test/netns-lab.sh: the Vagrant topology in network namespaces this test creates. */
final class NetnsLab implements AutoCloseable {
    static final int SKIP = 77;
    private final Path dir;
    private final Map<String, String> env = new HashMap<>();

    NetnsLab(Path dir, String prefix) {
        this.dir = dir;
        env.put("NETNS_PREFIX", prefix);
        env.put("NETNS_LAB_DIR", dir.resolve("run").toString());
        env.put("NETNS_LAB_NODES", "3");
        env.put("TANDEM_JAR", NodeProcess.jar().toAbsolutePath().toString());
        env.put("NETNS_LAB_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true");
        // The load driver is one client address at hundreds of requests a second: edge limits out of its
        // way (haproxy/render-haproxy.sh reads these; EdgeLimitsIT checks the limits themselves).
        env.put("TANDEM_EDGE_REQ_RATE", "100000");
        env.put("TANDEM_EDGE_SESSION_RATE", "1000000");
    }

    /** The lab's run dir (NETNS_LAB_DIR): per host its rendered etc/, logs and pid files. */
    Path runDir() {
        return dir.resolve("run");
    }

    static Path script() {
        return Path.of(System.getProperty("tandem.repo", ".")).toAbsolutePath().resolve("vagrant/test/netns-lab.sh");
    }

    Scripts.Result run(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script().toString());
        cmd.addAll(List.of(args));
        return Scripts.run(cmd, env, dir.resolve("netns-" + args[0] + "-" + System.nanoTime() + ".out"), timeout);
    }

    String ok(Duration timeout, String... args) {
        Scripts.Result r = run(timeout, args);
        if (r.exit() != 0) {
            throw new AssertionError("netns-lab.sh " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }

    /** Starts a command in a lab host's namespace without waiting for it. */
    Process spawn(Path output, String host, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(script().toString(), "exec", host));
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** The X-Tandem-Balancer header of an answer through the VIP, asked from the client host ("" if none). */
    String balancerAtVip(String vip) {
        String headers = ok(Duration.ofSeconds(20), "exec", "client", "curl", "-s", "-m", "5", "-o", "/dev/null", "-D", "-",
                vip + "/api/node");
        return headers.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("x-tandem-balancer:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
    }

    String vipHolder() {
        return ok(Duration.ofSeconds(20), "vip-holder").trim();
    }

    @Override
    public void close() {
        run(Duration.ofMinutes(2), "down");
    }
}
