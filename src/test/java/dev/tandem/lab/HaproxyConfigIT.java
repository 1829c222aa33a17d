package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.Requirements;
import dev.tandem.testing.Scripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one HAProxy template, rendered for any node list, is a config HAProxy accepts. */
class HaproxyConfigIT {
    private static final Map<String, String> CREDENTIALS = Map.of("TANDEM_STATS_USER", "u", "TANDEM_STATS_PASSWORD", "p");

    @ParameterizedTest(name = "{0} nodes, {1}, log {2}")
    @CsvSource({"1,roundrobin,stdout", "3,roundrobin,syslog", "3,leastconn,stdout", "5,leastconn,syslog", "5,roundrobin,stdout",
        "3,source,stdout", "3,uri,syslog"})
    void theRenderedConfigPassesHaproxyCheck(int nodes, String balance, String log, @TempDir Path dir) throws Exception {
        Requirements.command("haproxy");
        List<String> render = new ArrayList<>(List.of(LocalLab.repo().resolve("haproxy/render-haproxy.sh").toString(),
                "--bind", "127.0.0.10:8080", "--stats-bind", "127.0.0.10:8404", "--socket", dir.resolve("s.sock").toString(), "--agent-port", "+100",
                "--balance", balance, "--log", log));
        for (int i = 1; i <= nodes; i++) {
            render.addAll(List.of("--node", "n" + i + "=127.0.0." + (10 + i) + ":8080"));
        }
        Scripts.Result rendered = Scripts.run(render, Map.of(), dir.resolve("render.out"), Duration.ofSeconds(30));
        assertThat(rendered.exit()).as(rendered.output()).isZero();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, rendered.output());
        assertThat(rendered.output()).contains("balance " + balance);
        for (int i = 1; i <= nodes; i++) {
            assertThat(rendered.output()).as("affinity rule for n" + i)
                    .containsPattern("use-server n" + i + " if \\{ req\\.cook\\(JSESSIONID\\) -m end \\.n" + i + " }");
        }

        Scripts.Result check = Scripts.run(List.of("haproxy", "-c", "-f", cfg.toString()), CREDENTIALS,
                dir.resolve("check.out"), Duration.ofSeconds(30));
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).doesNotContain("[WARNING]").doesNotContain("[ALERT]");
    }

    @Test
    void weightsGiveEachNamedNodeItsWeightAndTimestampedLogLines(@TempDir Path dir) throws Exception {
        Requirements.command("haproxy");
        Scripts.Result rendered = Scripts.run(List.of(LocalLab.repo().resolve("haproxy/render-haproxy.sh").toString(),
                "--bind", "127.0.0.10:8080", "--stats-bind", "127.0.0.10:8404", "--socket", dir.resolve("s.sock").toString(), "--agent-port", "+100",
                "--weights", "n1=3,n3=0", "--node", "n1=127.0.0.11:8080", "--node", "n2=127.0.0.12:8080",
                "--node", "n3=127.0.0.13:8080"), Map.of(), dir.resolve("render.out"), Duration.ofSeconds(30));
        assertThat(rendered.exit()).as(rendered.output()).isZero();
        assertThat(rendered.output())
                .contains("server n1 127.0.0.11:8080 weight 3 agent-port 8180\n")
                .contains("server n2 127.0.0.12:8080 agent-port 8180\n")
                .contains("server n3 127.0.0.13:8080 weight 0 agent-port 8180\n")
                .contains("default-server check inter 500 fastinter 250 downinter 1s fall 2 rise 2 agent-check agent-inter 2s\n")
                .doesNotContainPattern("(?m)^\\s*(default-)?server .* maxconn")
                .contains("log stdout format iso");
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, rendered.output());
        Scripts.Result check = Scripts.run(List.of("haproxy", "-c", "-f", cfg.toString()), CREDENTIALS,
                dir.resolve("check.out"), Duration.ofSeconds(30));
        assertThat(check.exit()).as(check.output()).isZero();
    }

    @Test
    void theLimitsComeFromTheFlagsElseTheEnvironmentElseTheRenderersDefaultsAndTheStatsPageHasNoAdminActions(@TempDir Path dir) {
        List<String> base = List.of(LocalLab.repo().resolve("haproxy/render-haproxy.sh").toString(),
                "--bind", "127.0.0.10:8080", "--stats-bind", "127.0.0.10:8404", "--socket", dir.resolve("s.sock").toString(), "--agent-port", "+100",
                "--node", "n1=127.0.0.11:8080");
        String defaults = Scripts.run(base, Map.of(), dir.resolve("d.out"), Duration.ofSeconds(30)).output();
        assertThat(defaults).contains("sc_http_req_rate(0) gt 200\n").contains("sc_gpc_rate(0,0) ge 30\n")
                .doesNotContainPattern("(?m)^\\s*stats admin");
        String fromEnv = Scripts.run(base, Map.of("TANDEM_EDGE_REQ_RATE", "5000", "TANDEM_EDGE_SESSION_RATE", "7000"),
                dir.resolve("e.out"), Duration.ofSeconds(30)).output();
        assertThat(fromEnv).contains("sc_http_req_rate(0) gt 5000\n").contains("sc_gpc_rate(0,0) ge 7000\n");
        List<String> withFlags = new ArrayList<>(base);
        withFlags.addAll(List.of("--req-rate", "20", "--session-rate", "5"));
        String fromFlags = Scripts.run(withFlags, Map.of("TANDEM_EDGE_REQ_RATE", "5000"), dir.resolve("f.out"),
                Duration.ofSeconds(30)).output();
        assertThat(fromFlags).contains("sc_http_req_rate(0) gt 20\n").contains("sc_gpc_rate(0,0) ge 5\n")
                .contains("at most 20 a second").contains("at most 5 a minute");
    }

    @ParameterizedTest(name = "refuses {0} {1}")
    @CsvSource({"--req-rate,0", "--req-rate,-1", "--req-rate,abc", "--req-rate,1000001", "--session-rate,0", "--session-rate,1.5"})
    void theRendererRefusesLimitsThatAreNotAPositiveWholeNumber(String flag, String value, @TempDir Path dir) {
        Scripts.Result r = Scripts.run(List.of(LocalLab.repo().resolve("haproxy/render-haproxy.sh").toString(),
                "--bind", "127.0.0.10:8080", "--stats-bind", "127.0.0.10:8404", "--socket", dir.resolve("s.sock").toString(), "--agent-port", "+100",
                "--node", "n1=127.0.0.11:8080", flag, value), Map.of(), dir.resolve("render.out"), Duration.ofSeconds(30));
        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).contains(flag);
    }

    @Test
    void eachServersMaxconnIsLeftToItsNodesAgentAtAFixedPortOrAtAnOffsetFromTheNodesPort(@TempDir Path dir) {
        List<String> base = List.of(LocalLab.repo().resolve("haproxy/render-haproxy.sh").toString(),
                "--bind", "127.0.0.1:8080", "--stats-bind", "127.0.0.1:8404", "--socket", dir.resolve("s.sock").toString(),
                "--node", "n1=127.0.0.1:8081", "--node", "n2=127.0.0.1:8082");
        List<String> fixed = new ArrayList<>(base);
        fixed.addAll(List.of("--agent-port", "9000"));
        assertThat(Scripts.run(fixed, Map.of(), dir.resolve("f.out"), Duration.ofSeconds(30)).output())
                .contains("server n1 127.0.0.1:8081 agent-port 9000\n").contains("server n2 127.0.0.1:8082 agent-port 9000\n");
        List<String> offset = new ArrayList<>(base);
        offset.addAll(List.of("--agent-port", "+100"));
        assertThat(Scripts.run(offset, Map.of(), dir.resolve("o.out"), Duration.ofSeconds(30)).output())
                .contains("server n1 127.0.0.1:8081 agent-port 8181\n").contains("server n2 127.0.0.1:8082 agent-port 8182\n");
        for (List<String> bad : List.of(List.<String>of(), List.of("--agent-port", "0"), List.of("--agent-port", "+x"),
                List.of("--agent-port", "+65000"))) {
            List<String> args = new ArrayList<>(base);
            args.addAll(bad);
            Scripts.Result r = Scripts.run(args, Map.of(), dir.resolve("b.out"), Duration.ofSeconds(30));
            assertThat(r.exit()).as("%s: %s", bad, r.output()).isNotZero();
            assertThat(r.output()).as("%s", bad).contains("--agent-port");
        }
    }

    @ParameterizedTest(name = "refuses weights {0}")
    @CsvSource({"'n4=3'", "'n1=three'", "'n1'"})
    void theRendererRefusesWeightsItCannotPlace(String weights, @TempDir Path dir) {
        Scripts.Result r = Scripts.run(List.of(LocalLab.repo().resolve("haproxy/render-haproxy.sh").toString(),
                "--bind", "127.0.0.10:8080", "--stats-bind", "127.0.0.10:8404", "--socket", dir.resolve("s.sock").toString(), "--agent-port", "+100",
                "--weights", weights, "--node", "n1=127.0.0.11:8080"), Map.of(), dir.resolve("render.out"), Duration.ofSeconds(30));
        assertThat(r.exit()).as(r.output()).isNotZero();
    }

    @ParameterizedTest(name = "refuses {0}")
    @CsvSource({"'n1.x=127.0.0.11:8080'", "'n1=127.0.0.11'", "'n1=bad host:8080'"})
    void theRendererRefusesNodesThatWouldBreakTheConfig(String node, @TempDir Path dir) {
        Scripts.Result r = Scripts.run(List.of(LocalLab.repo().resolve("haproxy/render-haproxy.sh").toString(),
                "--bind", "127.0.0.10:8080", "--stats-bind", "127.0.0.10:8404", "--socket", dir.resolve("s.sock").toString(), "--agent-port", "+100",
                "--node", node), Map.of(), dir.resolve("render.out"), Duration.ofSeconds(30));
        assertThat(r.exit()).as(r.output()).isNotZero();
    }
}
