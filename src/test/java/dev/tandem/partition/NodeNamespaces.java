package dev.tandem.partition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A private network this test builds and tears down: one namespace per node and one for the
 * clients, each with a veth to a bridge that lives in a "lab" namespace of its own. The root
 * namespace holds no end of any link and no namespace has a default route, so nothing the test
 * sends can leave the lab. Addresses: 10.213.X.11.. for the nodes, .100 for the clients, X random.
 * <p>
 * Names carry the test JVM's pid ({@code tpart-<pid>-<rand>-...}), so a run that died without
 * cleaning up (kill -9 of the JVM) is swept by the next one; namespaces of live runs are left alone.
 */
final class NodeNamespaces implements AutoCloseable {
    private static final String FAMILY = "tpart-";
    private static final Pattern OURS = Pattern.compile("^" + FAMILY + "(\\d+)-\\S+");
    private static final String CLIENT = "cl";
    private static final String LAB = "lab";

    private final String prefix;
    private final String net;
    private final int nodes;
    private final List<String> created = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "partition-lab-cleanup");
    private boolean closed;

    NodeNamespaces(int nodes) {
        this.nodes = nodes;
        this.prefix = FAMILY + ProcessHandle.current().pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        this.net = "10.213." + ThreadLocalRandom.current().nextInt(1, 255);
        sweepDeadRuns();
        // If the test JVM is stopped (timeout, Ctrl-C), the lab goes with it.
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            build();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The namespace of node i (0-based). */
    String nodeNs(int i) {
        return prefix + "-n" + (i + 1);
    }

    String clientNs() {
        return prefix + "-" + CLIENT;
    }

    /** The address of node i (0-based). */
    String nodeIp(int i) {
        return net + "." + (11 + i);
    }

    String prefix() {
        return prefix;
    }

    private String labNs() {
        return prefix + "-" + LAB;
    }

    private void build() {
        addNamespace(labNs());
        run("ip", "-n", labNs(), "link", "add", "br0", "type", "bridge");
        run("ip", "-n", labNs(), "link", "set", "br0", "up");
        for (int i = 0; i < nodes; i++) {
            attach(nodeNs(i), "n" + (i + 1), nodeIp(i));
        }
        attach(clientNs(), CLIENT, net + ".100");
    }

    private void addNamespace(String ns) {
        run("ip", "netns", "add", ns);
        created.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        // No IPv6 chatter (router solicitations, DAD) on the lab wire: only what the test does travels there.
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1");
    }

    /** A namespace with one interface eth1 on the bridge; the veth is made in the lab namespace. */
    private void attach(String ns, String port, String ip) {
        addNamespace(ns);
        run("ip", "-n", labNs(), "link", "add", port, "type", "veth", "peer", "name", "eth1", "netns", ns);
        run("ip", "-n", labNs(), "link", "set", port, "master", "br0", "up");
        run("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth1");
        run("ip", "-n", ns, "link", "set", "eth1", "up");
    }

    /** The command, run inside a namespace (as a process of its own). */
    List<String> inNamespace(String ns, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(command);
        return cmd;
    }

    /** Cuts node i off from every other node, both directions; the client namespace still reaches it. */
    void isolate(int i) {
        for (String rule : isolationRules(i)) {
            run(iptables(i, "-A", rule));
        }
    }

    /** Removes exactly the rules {@link #isolate} added. */
    void heal(int i) {
        for (String rule : isolationRules(i)) {
            run(iptables(i, "-D", rule));
        }
    }

    private List<String> isolationRules(int i) {
        List<String> rules = new ArrayList<>();
        for (int peer = 0; peer < nodes; peer++) {
            if (peer != i) {
                rules.add("INPUT -s " + nodeIp(peer) + " -j DROP");
                rules.add("OUTPUT -d " + nodeIp(peer) + " -j DROP");
            }
        }
        return rules;
    }

    private String[] iptables(int i, String op, String rule) {
        // -w 5: wait for the xtables lock instead of failing when another iptables runs on the host.
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", nodeNs(i), "iptables", "-w", "5", op));
        cmd.addAll(Arrays.asList(rule.split(" ")));
        return cmd.toArray(String[]::new);
    }

    /** Kills whatever still runs in our namespaces, then deletes them (rules, veths and bridge go with them). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // A timed-out test arrives here interrupted; the cleanup must still wait for its commands.
        boolean interrupted = Thread.interrupted();
        for (String ns : created) {
            killAllIn(ns);
        }
        for (String ns : created) {
            tryRun("ip", "netns", "del", ns);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook itself
        }
    }

    /** Our namespaces that still exist (empty after close). */
    static List<String> leftovers(String prefix) {
        return listNamespaces().stream().filter(n -> n.startsWith(prefix + "-")).toList();
    }

    private static void killAllIn(String ns) {
        String pids = tryRun("ip", "netns", "pids", ns);
        for (String pid : pids.split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        try {
            Awaitility.await("processes in " + ns + " gone").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100)).until(() -> tryRun("ip", "netns", "pids", ns).isBlank());
        } catch (ConditionTimeoutException e) {
            // deleting the namespace anyway: its name goes, the stuck process keeps only its own copy
        }
    }

    /** Namespaces of earlier runs whose JVM is gone (killed before it could clean up). */
    private static void sweepDeadRuns() {
        for (String ns : listNamespaces()) {
            Matcher m = OURS.matcher(ns);
            if (m.matches() && !ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
                killAllIn(ns);
                tryRun("ip", "netns", "del", ns);
            }
        }
    }

    private static List<String> listNamespaces() {
        List<String> out = new ArrayList<>();
        for (String line : tryRun("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) {
                out.add(line.trim().split("\\s+")[0]);
            }
        }
        return out;
    }

    static String run(String... cmd) {
        Result r = exec(cmd);
        if (r.exit != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.exit + ": " + r.output);
        }
        return r.output;
    }

    private static String tryRun(String... cmd) {
        Result r = exec(cmd);
        return r.exit == 0 ? r.output : "";
    }

    private record Result(int exit, String output) {}

    private static Result exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + " timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
