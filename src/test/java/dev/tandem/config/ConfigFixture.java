package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;

/** Loads a node's config the way start-up does, from a test's own environment map and host name. */
final class ConfigFixture {
    /** A documentation address (TEST-NET-2) that is never an address of this machine. */
    static final String FOREIGN = "198.51.100.7";

    /** Clustered examples test other rules; cluster security has ClusterSecurityConfigTest. */
    final Map<String, String> env = new HashMap<>(Map.of("TANDEM_CLUSTER_INSECURE", "true"));

    NodeConfig load(String... args) {
        ConfigLoader.Result result = new ConfigLoader(env, () -> "some-host").load(args);
        assertThat(result).isInstanceOf(ConfigLoader.Start.class);
        return ((ConfigLoader.Start) result).config();
    }

    /** Start-up is refused naming {@code option}, in the exception and in its message. */
    AbstractThrowableAssert<?, ? extends Throwable> refused(String option, String... args) {
        return assertThatThrownBy(() -> new ConfigLoader(env, () -> "some-host").load(args))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).option()).isEqualTo(option))
                .hasMessageContaining(option);
    }

    /** A config file in {@code dir} holding these lines. */
    static Path file(Path dir, String... lines) throws IOException {
        Path f = dir.resolve("tandem-" + System.nanoTime() + ".properties");
        Files.write(f, List.of(lines));
        return f;
    }
}
