package dev.tandem.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.history.History;
import dev.tandem.testing.history.HistoryChecker;
import dev.tandem.testing.history.HistoryChecker.FinalState;
import dev.tandem.testing.history.Op;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Partition {A} | {B, C} under load, each node a real process in a network namespace of its own on
 * a private bridge, the cut made with iptables in A's namespace. Every client operation goes
 * through the history checker: after the heal nothing acknowledged is lost, no read went
 * backwards, no answer came from a fresh session standing in for a known one (one client also
 * logs in, so its session changes id under the cut too), all three nodes hold the same sessions
 * and share one view.
 */
class PartitionIT {
    private static final int NODES = 3;
    private static final int A = 0;
    private static final Duration CUT = Duration.ofSeconds(35);
    /** Seven clients on four sessions: client 3, alone on its session, also logs in (a new id each time). */
    private static final int CLIENTS = 7;
    private static final int SESSIONS = 4;
    private static final int LOGIN_CLIENT = 3;

    @Test
    @Timeout(value = 230, unit = TimeUnit.SECONDS)
    void aNodeCutOffUnderLoadRefusesSessionsAndAfterTheHealNothingAcknowledgedIsLostOrRolledBack() throws Exception {
        NamespacedCluster.run(NODES, "partition", PartitionIT::scenario);
    }

    private static void scenario(NodeNamespaces lab, NamespacedCluster cluster, Path dir) throws Exception {
        List<NamespacedNode> nodes = cluster.nodes();
        List<URI> uris = cluster.uris();
        ClientProbe probe = new ClientProbe(lab);
        cluster.awaitOneView(probe, Duration.ofSeconds(120), "all three nodes ready in one view of 3");

        try (WorkloadProcess load = WorkloadProcess.start(lab, uris, CLIENTS, SESSIONS, 20_000, Duration.ofSeconds(150), dir,
                LOGIN_CLIENT)) {
            load.awaitLine("PROGRESS", Duration.ofSeconds(30));
            Awaitility.await("load flowing").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> load.progress() >= 300);

            load.send("mark cut");
            lab.isolate(A);
            long cut = System.nanoTime();
            CutWatch watch = new CutWatch(probe, uris, cut);
            Awaitility.await("A cut off for " + CUT.toSeconds() + " s").atMost(CUT.plusSeconds(15))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        watch.sample();
                        return System.nanoTime() - cut >= CUT.toNanos();
                    });
            lab.heal(A);
            load.send("mark heal");
            long heal = System.nanoTime();
            cluster.awaitOneView(probe, Duration.ofSeconds(90), "one view of 3 after the heal");
            long healed = System.nanoTime();

            long opsAtOneView = load.progress();
            Awaitility.await("load goes on after the heal").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> load.progress() >= opsAtOneView + 500);
            load.send("stop");
            load.awaitLine("LOAD_DONE", Duration.ofSeconds(40));
            load.send("final");
            load.awaitLine("FINAL_DONE", Duration.ofSeconds(60));
            List<List<String>> views = uris.stream().map(probe::members).toList();

            History history = load.history();
            Map<String, Map<String, FinalState>> finals = load.finals();
            Map<String, Long> marks = load.marks();
            Map<String, Long> readMillis = load.finalReadMillis();
            // Checked against the majority's final states; every node must then hold exactly the same.
            Map<String, FinalState> fromB = finals.get(uris.get(1).toString());
            HistoryChecker.Report report = HistoryChecker.check(history, fromB);
            int named = SESSIONS - HistoryChecker.lostTheirId(history).size();
            long logins = history.ops().stream().filter(o -> o.kind() == Op.Kind.LOGIN).count();
            long loginsOk = history.count(Op.Kind.LOGIN, Op.Outcome.OK);
            StringBuilder readable = new StringBuilder();
            for (int i = 0; i < NODES; i++) {
                readable.append(i == 0 ? "" : " ").append(nodes.get(i).name()).append('=')
                        .append(finals.get(uris.get(i).toString()).size()).append('/').append(named).append(" in ")
                        .append(String.format(Locale.ROOT, "%.1fs", readMillis.get(uris.get(i).toString()) / 1e3));
            }
            CutFigures during = CutFigures.of(history, marks.get("cut"), marks.get("heal"), nodes.get(A).name(),
                    "//" + lab.nodeIp(A) + ":");
            System.out.printf(Locale.ROOT, "[partition {A}|{B,C}] %s | cut=%.1fs A-not-ready-after=%s B,C-at-2-after=%s "
                            + "heal-to-one-view=%.1fs final-reads{%s} logins=%d/%d | during the cut: A ok=%d failed=%d unknown=%d %s, B+C ok=%d failed=%d unknown=%d on %d/%d sessions%n",
                    report.summary(), (heal - cut) / 1e9, watch.minorityNotReady(), watch.majorityAtTwo(),
                    (healed - heal) / 1e9, readable, loginsOk, logins, during.minorityOk, during.minorityFailed, during.minorityUnknown,
                    during.minorityAnswers, during.majorityOk, during.majorityFailed, during.majorityUnknown,
                    during.majoritySessions, SESSIONS);

            assertThat(report.problems()).as("history problems").isEmpty();
            assertThat(report.lost()).as("lost").isZero();
            assertThat(report.stale()).as("stale").isZero();
            assertThat(report.replaced()).as("answers from replaced sessions").isZero();
            assertThat(report.valid()).isTrue();
            assertThat(watch.minorityNotReady()).as("A noticed it is cut off (not ready)").isNotEqualTo("never");
            assertThat(watch.majorityAtTwo()).as("B and C saw a view of 2").isNotEqualTo("never");
            assertThat(during.majorityOk).as("B and C kept serving during the cut").isPositive();
            assertThat(during.minorityAnswers.keySet()).as("what A answered while cut off")
                    .isSubsetOf("ok", "503 session_unavailable", "no answer")
                    .contains("503 session_unavailable");
            for (int i = 0; i < NODES; i++) {
                assertThat(finals.get(uris.get(i).toString()))
                        .as("sessions read on %s within 40 s once the three were one view again and the load had stopped",
                                nodes.get(i).name())
                        .hasSize(named).isEqualTo(fromB);
            }
            assertThat(loginsOk).as("logins acknowledged").isPositive();
            assertThat(views).as("every node's members after the load").allSatisfy(v -> assertThat(v).hasSize(3))
                    .containsOnly(views.get(0));
        }
    }

    /** What the probes saw during the cut: when A stopped being ready, when B and C settled on a view of 2. */
    private static final class CutWatch {
        private final ClientProbe probe;
        private final List<URI> uris;
        private final long cut;
        private long minorityNotReadyNanos = -1;
        private long majorityAtTwoNanos = -1;

        CutWatch(ClientProbe probe, List<URI> uris, long cut) {
            this.probe = probe;
            this.uris = uris;
            this.cut = cut;
        }

        void sample() {
            if (minorityNotReadyNanos < 0 && !probe.ready(uris.get(A))) {
                minorityNotReadyNanos = System.nanoTime() - cut;
            }
            if (majorityAtTwoNanos < 0 && probe.members(uris.get(1)).size() == 2 && probe.members(uris.get(2)).size() == 2) {
                majorityAtTwoNanos = System.nanoTime() - cut;
            }
        }

        String minorityNotReady() {
            return seconds(minorityNotReadyNanos);
        }

        String majorityAtTwo() {
            return seconds(majorityAtTwoNanos);
        }

        private static String seconds(long nanos) {
            return nanos < 0 ? "never" : String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
        }
    }

    /**
     * The operations invoked while A was cut off: outcomes on A and on the majority, how many
     * sessions the majority served at least once, and what A answered ("ok", "503
     * session_unavailable", another status, or "no answer" when cut off).
     */
    private record CutFigures(long minorityOk, long minorityFailed, long minorityUnknown,
                              long majorityOk, long majorityFailed, long majorityUnknown, long majoritySessions,
                              Map<String, Long> minorityAnswers) {
        static CutFigures of(History history, long cut, long heal, String minorityNode, String minorityAddress) {
            long[] f = new long[6];
            Map<String, Long> answers = new TreeMap<>();
            Set<String> servedByMajority = new HashSet<>();
            for (Op o : history.ops()) {
                if (o.invokedNanos() < cut || o.invokedNanos() > heal) {
                    continue;
                }
                boolean minority = minorityNode.equals(o.node()) || String.valueOf(o.node()).contains(minorityAddress);
                f[(minority ? 0 : 3) + o.outcome().ordinal()]++;
                if (minority) {
                    answers.merge(answer(o), 1L, Long::sum);
                } else if (o.ok()) {
                    servedByMajority.add(o.session());
                }
            }
            return new CutFigures(f[0], f[1], f[2], f[3], f[4], f[5], servedByMajority.size(), answers);
        }

        private static String answer(Op o) {
            if (o.ok()) {
                return "ok";
            }
            String d = String.valueOf(o.detail());
            if (!d.matches("(?s)\\d{3} .*")) {
                return "no answer";
            }
            return d.substring(0, 3) + (d.contains("session_unavailable") ? " session_unavailable" : "");
        }
    }
}
