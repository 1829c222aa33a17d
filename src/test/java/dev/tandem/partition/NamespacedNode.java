package dev.tandem.partition;

import dev.tandem.testing.NodeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Tandem node from target/tandem.jar started inside a network namespace, listening on that
 * namespace's address (HTTP on :8080, the cluster on :7800). Like {@link NodeProcess}, with the
 * command prefixed by {@code ip netns exec}, which execs java itself: the process is the node.
 */
final class NamespacedNode implements AutoCloseable {
    static final int HTTP_PORT = 8080;
    static final int CLUSTER_PORT = 7800;

    private final String name;
    private final String ip;
    private final Path log;
    private final Process process;

    private NamespacedNode(String name, String ip, Path log, Process process) {
        this.name = name;
        this.ip = ip;
        this.log = log;
        this.process = process;
    }

    static NamespacedNode start(NodeNamespaces lab, int i, List<String> peers, String clusterName, Path credentials,
            Path logDir) {
        String name = "p" + (i + 1);
        String ip = lab.nodeIp(i);
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Small and quick to start: three nodes, the workload and the build share two cores.
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
                "-jar", NodeProcess.jar().toAbsolutePath().toString(),
                "--node", name, "--host", ip, "--port", Integer.toString(HTTP_PORT),
                "--peers", String.join(",", peers),
                "--cluster-host", ip, "--cluster-port", Integer.toString(CLUSTER_PORT),
                "--cluster-name", clusterName, "--cluster-credentials", credentials.toString()));
        Path log = logDir.resolve(name + ".log");
        try {
            Process p = new ProcessBuilder(lab.inNamespace(lab.nodeNs(i), java))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            p.getOutputStream().close();
            return new NamespacedNode(name, ip, log, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    URI uri() {
        return URI.create("http://" + ip + ":" + HTTP_PORT);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    String tail() {
        try {
            String text = Files.exists(log) ? Files.readString(log) : "";
            return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
