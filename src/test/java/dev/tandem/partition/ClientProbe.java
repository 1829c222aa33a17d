package dev.tandem.partition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test's own view of the nodes: the test JVM lives in the root namespace, which has no link to
 * the lab, so each probe is one curl run inside the client namespace.
 */
final class ClientProbe {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * How long a write waits for its answer, in seconds: above the node's 3 s wait for a session's
     * lock, so a node that refuses a busy session is seen answering 503 with its reason, not as
     * silent (CI, 2026-12-04: a lock left held showed only as "no answer in 3 s").
     */
    private static final String POST_SECONDS = "8";
    private final NodeNamespaces lab;

    ClientProbe(NodeNamespaces lab) {
        this.lab = lab;
    }

    /** Status 0 when the node did not answer in time (3 s for a read, {@link #POST_SECONDS} for a write). */
    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                return MAPPER.createObjectNode();
            }
        }
    }

    Reply get(URI node, String path) {
        return curl(List.of("curl", "-s", "-m", "3", "-w", "\n%{http_code}", node.resolve(path).toString()));
    }

    /**
     * A GET as the user whose cookies live in {@code cookies}, to any node: the session cookie is
     * sent as a header, since curl's jar would offer it only to the host that set it.
     */
    Reply get(URI node, String path, Path cookies) {
        return curl(List.of("curl", "-s", "-m", "3", "-w", "\n%{http_code}", "-H", "Cookie: " + sessionCookie(cookies),
                node.resolve(path).toString()));
    }

    /** NAME=value of the session cookie in a curl cookie jar (tab-separated, name and value last). */
    private static String sessionCookie(Path jar) {
        try {
            return Files.readAllLines(jar).stream()
                    .map(l -> l.split("\t"))
                    .filter(f -> f.length == 7 && f[5].equals("JSESSIONID"))
                    .map(f -> f[5] + "=" + f[6])
                    .findFirst().orElseThrow(() -> new IllegalStateException("no session cookie in " + jar));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON POST as a user whose cookies live in {@code cookies} (read and updated). */
    Reply post(URI node, String path, String json, Path cookies) {
        return curl(List.of("curl", "-s", "-m", POST_SECONDS, "-w", "\n%{http_code}", "-b", cookies.toString(), "-c",
                cookies.toString(), "-H", "Content-Type: application/json", "-d", json, node.resolve(path).toString()));
    }

    private Reply curl(List<String> curl) {
        try {
            Process p = new ProcessBuilder(lab.inNamespace(lab.clientNs(), curl)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Reply(0, "");
            }
            int nl = out.lastIndexOf('\n');
            String code = out.substring(nl + 1).trim();
            return new Reply(code.matches("\\d{3}") ? Integer.parseInt(code) : 0, nl < 0 ? "" : out.substring(0, nl));
        } catch (IOException e) {
            return new Reply(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, "interrupted");
        }
    }

    /** A node's member list from /api/node, empty when it does not answer. */
    List<String> members(URI node) {
        Reply r = get(node, "/api/node");
        List<String> members = new ArrayList<>();
        if (r.status() == 200) {
            r.json().path("members").forEach(m -> members.add(m.asText()));
        }
        return members;
    }

    boolean ready(URI node) {
        return get(node, "/health/ready").status() == 200;
    }

    /** A node's members and readiness answer on one line, for a failure message. */
    String describe(URI node) {
        Reply r = get(node, "/health/ready");
        return node.getHost() + " members=" + members(node) + " ready=" + r.status() + " " + r.body().replace('\n', ' ');
    }
}
