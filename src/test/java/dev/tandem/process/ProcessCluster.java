package dev.tandem.process;

import dev.tandem.testing.FreePorts;
import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.TestCredentials;
import dev.tandem.testing.TestHttp;
import java.net.URI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/** N nodes as real processes from target/tandem.jar on loopback, clustered with each other. */
final class ProcessCluster implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    final List<NodeProcess> nodes = new ArrayList<>();
    /** What a node needs to join: the peers' list, the cluster's name and its credentials. */
    final String peers;
    final String name;
    Path credentials;

    ProcessCluster(int size, Path logDir, String... extraArgs) {
        String cluster = "it-" + UUID.randomUUID();
        this.name = cluster;
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(FreePorts.clusterPort(HOST));
        }
        String peers = ports.stream().map(p -> HOST + ":" + p).collect(Collectors.joining(","));
        this.peers = peers;
        try {
            boolean insecure = List.of(extraArgs).contains("--cluster-insecure");
            credentials = insecure ? null
                    : TestCredentials.make(Files.createTempDirectory(logDir, "credentials").resolve("cluster"));
            for (int i = 0; i < size; i++) {
                List<String> args = new ArrayList<>(List.of("--node", "p" + (i + 1), "--host", HOST, "--port", "0",
                        "--peers", peers, "--cluster-host", HOST, "--cluster-port", ports.get(i).toString(),
                        "--cluster-name", cluster));
                if (!insecure) {
                    args.addAll(List.of("--cluster-credentials", credentials.toString()));
                }
                args.addAll(List.of(extraArgs));
                nodes.add(NodeProcess.start("p" + (i + 1), logDir, args.toArray(String[]::new)));
            }
            for (NodeProcess n : nodes) {
                n.awaitListening(Duration.ofSeconds(90));
            }
            awaitReady(size, nodes);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            close(); // the caller's try-with-resources never sees a half-built cluster
            throw e;
        }
    }

    List<URI> uris() {
        return nodes.stream().map(NodeProcess::uri).toList();
    }

    static void awaitReady(int members, List<NodeProcess> nodes) {
        Awaitility.await("all ready with " + members + " members").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                    for (NodeProcess n : nodes) {
                        TestHttp http = new TestHttp(n.uri());
                        if (http.get("/health/ready").status() != 200
                                || http.get("/api/node").json().get("members").size() != members) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    @Override
    public void close() {
        nodes.forEach(NodeProcess::close);
    }
}
