package dev.tandem.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.FreePorts;
import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.TestCredentials;
import dev.tandem.testing.TestHttp;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #9's attack, replayed: processes that know the cluster's name and its members' addresses
 * (both visible on the wire and in the docs) but not its credentials try to join, and a raw TCP
 * client writes garbage to the cluster ports. None gets in, reads or changes anything; a node with
 * the credentials joins and serves.
 */
class ClosedClusterIT {
    private static final String SECRET = "\"4111 1111 1111 1111\"";
    private static final Pattern REFUSAL = Pattern.compile("failed accepting connection from peer SSLSocket\\[hostname=([0-9.]+)");

    @Test
    void processesWithoutTheCredentialsAreRefusedAtConnectWhileANodeWithThemJoins(@TempDir Path logs) throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(2, logs); Outsiders outsiders = new Outsiders()) {
            TestHttp victim = new TestHttp(cluster.uris().get(0));
            assertThat(victim.put("/api/session/attributes/card", SECRET).status()).isEqualTo(204);
            String cookie = victim.sessionId();
            int refusalsBefore = refusals(cluster).size();

            // Same name and peers; one with no credentials at all (plain TCP), one with another cluster's.
            long t0 = System.nanoTime();
            NodeProcess plain = outsiders.start(cluster, logs, "x", "127.0.0.9", "--cluster-insecure");
            NodeProcess forged = outsiders.start(cluster, logs, "y", "127.0.0.10", "--cluster-credentials",
                    TestCredentials.make(logs.resolve("other-cluster")).toString());
            Awaitility.await("the members log the refused connections").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100)).until(() -> refusals(cluster).size() > refusalsBefore);
            long firstRefusalMs = (System.nanoTime() - t0) / 1_000_000;
            for (NodeProcess outsider : List.of(plain, forged)) {
                outsider.awaitListening(Duration.ofSeconds(90));
            }
            // Bounded watch: for 8 s (past JGroups' join timeout and a few discovery rounds) the
            // members stay two and each outsider stays alone.
            Awaitility.await("no outsider in any view").during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
                            members(cluster.uris().get(0)).equals(List.of("p1", "p2"))
                            && members(cluster.uris().get(1)).equals(List.of("p1", "p2"))
                            && members(plain.uri()).equals(List.of("x")) && members(forged.uri()).equals(List.of("y")));

            for (NodeProcess outsider : List.of(plain, forged)) {
                TestHttp thief = new TestHttp(outsider.uri());
                thief.sessionId(cookie);
                TestHttp.Reply stolen = thief.get("/api/session/attributes/card");
                assertThat(stolen.body()).as(outsider.name() + " reads the victim's attribute").doesNotContain("4111");
                thief.sessionId(cookie);
                thief.put("/api/session/attributes/card", "\"stolen\"");
            }

            int garbageBytes = writeGarbage(cluster);

            List<String> refused = refusals(cluster);
            assertThat(victim.get("/api/session/attributes/card").body()).as("the victim's session").contains("4111");
            for (URI member : cluster.uris()) {
                assertThat(new TestHttp(member).get("/health/ready").status()).as(member + " ready").isEqualTo(200);
            }

            // With the credentials, a third node joins and serves the victim's session.
            long j0 = System.nanoTime();
            NodeProcess insider = outsiders.start(cluster, logs, "z", "127.0.0.11", "--cluster-credentials",
                    cluster.credentials.toString());
            insider.awaitListening(Duration.ofSeconds(90));
            Awaitility.await("z joins").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> members(cluster.uris().get(0)).size() == 3
                            && members(insider.uri()).size() == 3);
            long joinMs = (System.nanoTime() - j0) / 1_000_000;
            TestHttp fromZ = new TestHttp(insider.uri());
            fromZ.sessionId(cookie);
            Awaitility.await("z serves the session").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> fromZ.get("/api/session/attributes/card").body().contains("4111"));

            System.out.printf("[closed cluster] first refusal logged %d ms after the outsiders started; %d refused"
                    + " connections logged (from %s); %d garbage bytes ignored; a node with the credentials joined in"
                    + " %d ms%n", firstRefusalMs, refused.size() - refusalsBefore,
                    refused.stream().skip(refusalsBefore).distinct().toList(), garbageBytes, joinMs);
            assertThat(refused.subList(refusalsBefore, refused.size())).as("refusals name the outsiders' addresses")
                    .contains("127.0.0.9", "127.0.0.10");
        }
    }

    private static List<String> members(URI node) {
        List<String> names = new ArrayList<>();
        new TestHttp(node).timeout(Duration.ofSeconds(2)).get("/api/node").json().get("members")
                .forEach(m -> names.add(m.isTextual() ? m.asText() : m.get("name").asText()));
        return names.stream().sorted().toList();
    }

    /** The peer addresses of every refused connection in the members' logs, in order. */
    private static List<String> refusals(ProcessCluster cluster) {
        List<String> peers = new ArrayList<>();
        for (NodeProcess n : cluster.nodes) {
            Matcher m = REFUSAL.matcher(n.readLog());
            while (m.find()) {
                peers.add(m.group(1));
            }
        }
        return peers;
    }

    /** Random bytes, then bytes shaped like a JGroups frame, to each member's TCP and failure-detection port. */
    private static int writeGarbage(ProcessCluster cluster) throws Exception {
        Random random = new Random(9);
        int sent = 0;
        for (String peer : cluster.peers.split(",")) {
            String host = peer.substring(0, peer.lastIndexOf(':'));
            int port = Integer.parseInt(peer.substring(peer.lastIndexOf(':') + 1));
            for (int p : new int[] {port, port + 100}) {
                byte[] junk = new byte[64 * 1024];
                random.nextBytes(junk);
                byte[] frame = {(byte) 0xBE, (byte) 0xBE, 0, 0, 0, 40, 0x05, 0x04, 0x05};
                for (byte[] bytes : List.of(junk, frame)) {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(host, p), 2000);
                        s.setSoTimeout(2000);
                        OutputStream out = s.getOutputStream();
                        out.write(bytes);
                        out.flush();
                        sent += bytes.length;
                    } catch (java.io.IOException closedOnUs) {
                        // the member hung up on the garbage: that is the point
                    }
                }
            }
        }
        return sent;
    }

    /** Extra processes of the test, stopped whatever happens. */
    private static final class Outsiders implements AutoCloseable {
        private final List<NodeProcess> started = new ArrayList<>();

        NodeProcess start(ProcessCluster cluster, Path logs, String name, String host, String... security) {
            int port = FreePorts.clusterPort(host);
            List<String> args = new ArrayList<>(List.of("--node", name, "--host", host, "--port", "0",
                    "--peers", cluster.peers + "," + host + ":" + port, "--cluster-host", host,
                    "--cluster-port", Integer.toString(port), "--cluster-name", cluster.name));
            args.addAll(List.of(security));
            NodeProcess p = NodeProcess.start(name, logs, args.toArray(String[]::new));
            started.add(p);
            return p;
        }

        @Override
        public void close() {
            started.forEach(NodeProcess::close);
        }
    }
}
