package dev.tandem.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.Requirements;
import dev.tandem.testing.TestCredentials;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;

/** Real nodes, one per namespace of a {@link NodeNamespaces} lab, clustered with the lab's credentials; closing kills them. */
final class NamespacedCluster implements AutoCloseable {
    private final List<NamespacedNode> nodes = new ArrayList<>();
    private final NodeNamespaces lab;
    private final List<String> peers = new ArrayList<>();
    private final String clusterName;
    private final Path credentials;
    private final Path dir;

    /**
     * Starts a node in the first {@code started} namespaces of the lab (a cluster of its own name,
     * configured with a node in every namespace), logs in {@code dir}.
     */
    private NamespacedCluster(NodeNamespaces lab, int count, int started, String name, Path dir) {
        this.lab = lab;
        this.dir = dir;
        for (int i = 0; i < count; i++) {
            peers.add(lab.nodeIp(i) + ":" + NamespacedNode.CLUSTER_PORT);
        }
        this.clusterName = name + "-" + UUID.randomUUID();
        this.credentials = TestCredentials.make(dir.resolve("credentials"));
        try {
            for (int i = 0; i < started; i++) {
                start(i);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Starts the node of namespace {@code i} (the next one not started yet). */
    NamespacedNode start(int i) {
        if (i != nodes.size()) {
            throw new IllegalArgumentException("nodes start in order: next is " + nodes.size() + ", not " + i);
        }
        NamespacedNode node = NamespacedNode.start(lab, i, peers, clusterName, credentials, dir);
        nodes.add(node);
        return node;
    }

    /** What a test does with its lab and cluster; {@code dir} holds the logs kept if it fails. */
    interface Scenario {
        void run(NodeNamespaces lab, NamespacedCluster cluster, Path dir) throws Exception;
    }

    /**
     * Runs a scenario on {@code count} nodes, each in a namespace of its own (needs root, ip,
     * iptables and curl), then takes everything down and checks no namespace is left; the run's
     * logs are kept in target/partition-logs when it fails.
     */
    static void run(int count, String name, Scenario scenario) throws Exception {
        run(count, count, name, scenario);
    }

    /** As {@link #run(int, String, Scenario)}, with only the first {@code started} nodes running at first. */
    static void run(int count, int started, String name, Scenario scenario) throws Exception {
        Requirements.root();
        Requirements.command("ip");
        Requirements.command("iptables");
        Requirements.command("curl");
        try (RunDir dir = new RunDir()) {
            String prefix;
            try (NodeNamespaces lab = new NodeNamespaces(count)) {
                prefix = lab.prefix();
                dir.name(prefix);
                try (NamespacedCluster cluster = new NamespacedCluster(lab, count, started, name, dir.path())) {
                    scenario.run(lab, cluster, dir.path());
                }
            }
            assertThat(NodeNamespaces.leftovers(prefix)).as("namespaces left behind").isEmpty();
            dir.passed();
        }
    }

    List<NamespacedNode> nodes() {
        return nodes;
    }

    List<URI> uris() {
        return nodes.stream().map(NamespacedNode::uri).toList();
    }

    /** Waits until every started node is ready and all report the same view of them all (fails at once if one exited). */
    void awaitOneView(ClientProbe probe, Duration within, String what) {
        Awaitility.await(what).atMost(within).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (NamespacedNode n : nodes) {
                if (!n.isAlive()) {
                    throw new IllegalStateException(n.name() + " exited:\n" + n.tail());
                }
            }
            List<String> first = null;
            for (NamespacedNode n : nodes) {
                List<String> members = probe.members(n.uri());
                if (members.size() != nodes.size() || (first != null && !first.equals(members)) || !probe.ready(n.uri())) {
                    return false;
                }
                first = members;
            }
            return true;
        });
    }

    @Override
    public void close() {
        nodes.forEach(NamespacedNode::close);
    }
}
