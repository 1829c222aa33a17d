package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person typing at the command line is told (issue 12), and what scripts can ask. */
class CommandLineTest {
    private static final String FOREIGN = "198.51.100.7";

    @TempDir
    Path dir;

    /** Clustered examples here test other rules; cluster security has ClusterSecurityConfigTest. */
    private final Map<String, String> env = new HashMap<>(Map.of("TANDEM_CLUSTER_INSECURE", "true"));

    private ConfigLoader.Result load(String... args) {
        return new ConfigLoader(env, () -> "Web-01.example.com").load(args);
    }

    private String refusal(String... args) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> load(args));
        assertThat(t).isInstanceOf(ConfigException.class);
        return t.getMessage();
    }

    // ---- one sentence per mistake ----

    @Test
    void aPortThatIsNotANumberIsSaidOnce() {
        assertThat(refusal("--port", "abc")).isEqualTo("invalid --port: 'abc' is not a whole number");
    }

    @Test
    void aBadNumberFromTheEnvironmentSaysWhereItCameFrom() {
        env.put("TANDEM_PORT", "abc");
        assertThat(refusal()).isEqualTo("invalid --port: 'abc' is not a whole number (from TANDEM_PORT)");
    }

    @Test
    void aBadPeerExplainsTheHostPortFormat() {
        assertThat(refusal("--peers", "app1,app 2")).startsWith("invalid --peers: 'app 2' is not HOST[:PORT]; ")
                .contains("IPv6 address in [brackets]", "PORT 1-65535", "e.g. ");
        assertThat(refusal("--peers", "app1:99999")).startsWith("invalid --peers: 'app1:99999' has no valid port (1-65535)");
        assertThat(refusal("--peers", "app1,,app2")).startsWith("invalid --peers: empty member in list");
    }

    @Test
    void peerNamesAreNotResolvedWhileTheSettingsAreRead() {
        NodeConfig c = ((ConfigLoader.Start) load("--host", "127.0.0.1",
                "--peers", "app1.invalid,app2.invalid:7801")).config();
        assertThat(c.peers()).map(Object::toString).containsExactly("app1.invalid:7800", "app2.invalid:7801");
    }

    @Test
    void withAWildcardHostPeersThatDoNotResolveYetAreNotTakenForThisMachine() {
        assertThat(refusal("--peers", "app1.invalid," + FOREIGN))
                .startsWith("invalid --cluster-host: required when --host is a wildcard");
        assertThat(load("--peers", "app1.invalid," + FOREIGN, "--cluster-host", "127.0.0.1"))
                .isInstanceOf(ConfigLoader.Start.class);
    }

    @Test
    void aMissingConfigFileSaysSoAndWhereItWasLookedFor() {
        assertThat(refusal("--config", "nope.properties")).isEqualTo("invalid --config: cannot read 'nope.properties' ("
                + Path.of("nope.properties").toAbsolutePath() + "): no such file");
    }

    @Test
    void anUnknownOptionIsNamed() {
        assertThat(refusal("--prot", "8081")).contains("--prot");
    }

    // ---- help ----

    @Test
    void helpFitsEightyColumnsAndNeverBreaksAValueAcrossLines() {
        String help = ((ConfigLoader.Exit) load("--help")).text();
        List<String> lines = help.lines().toList();

        assertThat(lines).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
        for (String whole : List.of("Default: 127.0.0.0/8,::1", "Default: 0.0.0.0", "Default: 8080", "Default: 7800",
                "Default: tandem", "Default: 1800", "Default: 3", "Default: 30", "peers=app1:7800,app2:7800",
                "TANDEM_PEERS=app1,app2", "--peers=HOST[:PORT]", "--print-node-name")) {
            assertThat(lines).as(whole).anySatisfy(line -> assertThat(line).contains(whole));
        }
    }

    // ---- --print-node-name ----

    @Test
    void printNodeNameAnswersTheDefaultRuleFromTheHostName() {
        assertThat(load("--print-node-name")).isEqualTo(new ConfigLoader.Exit(0, "web-01"));
    }

    @Test
    void printNodeNameFollowsTheSameLayersAsTheNode() {
        env.put("TANDEM_NODE", "from-env");
        assertThat(load("--print-node-name")).isEqualTo(new ConfigLoader.Exit(0, "from-env"));
        assertThat(load("--print-node-name", "--node", "n3")).isEqualTo(new ConfigLoader.Exit(0, "n3"));
    }

    @Test
    void printNodeNameRefusesANameTheNodeWouldRefuse() {
        assertThat(refusal("--print-node-name", "--node", "web.01")).startsWith("invalid --node: 'web.01'");
    }

    @Test
    void printNodeNameIsAQuestionNotASetting() {
        env.put("TANDEM_PRINT_NODE_NAME", "true");
        assertThat(load("--host", "127.0.0.1")).isInstanceOf(ConfigLoader.Start.class);
    }
}
