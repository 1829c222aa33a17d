package dev.tandem.testing;

import dev.tandem.transport.ClusterCredentials;
import dev.tandem.transport.TransportSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A cluster's credentials for a test, made by the project's own bin/tandem-credentials. */
public final class TestCredentials {
    private TestCredentials() {}

    /** Makes new credentials in {@code dir} (which must not hold any) and returns the directory. */
    public static Path make(Path dir) {
        Path script = Path.of("bin", "tandem-credentials").toAbsolutePath();
        Scripts.Result r = Scripts.run(List.of(script.toString(), dir.toAbsolutePath().toString()), Map.of(),
                dir.resolveSibling(dir.getFileName() + ".log"), Duration.ofSeconds(60));
        if (r.exit() != 0) {
            throw new AssertionError("bin/tandem-credentials failed: " + r.output());
        }
        return dir.toAbsolutePath();
    }

    /**
     * In-JVM clusters: one set of credentials for the whole test JVM (made on first use, removed
     * when the JVM exits), so each test class does not make and hold its own.
     */
    public static TransportSecurity shared() {
        return Shared.SECURITY;
    }

    private static final class Shared {
        static final TransportSecurity SECURITY = make();

        private static TransportSecurity make() {
            try {
                Path dir = java.nio.file.Files.createTempDirectory("tandem-test-credentials");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try (var files = java.nio.file.Files.walk(dir)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    } catch (java.io.IOException ignored) {
                        // best effort at exit
                    }
                }));
                return security(TestCredentials.make(dir.resolve("cluster")));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** In-JVM nodes: the security a node holding {@code dir}'s credentials runs with. */
    public static TransportSecurity security(Path dir) {
        return TransportSecurity.tls(ClusterCredentials.load(dir));
    }
}
