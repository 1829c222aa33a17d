package dev.tandem.vagrant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeProcess;
import dev.tandem.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Vagrant lab's provisioning templates, run in network namespaces: 3 app hosts, lb1 and lb2
 * with HAProxy + keepalived sharing the VIP 10.77.0.10, and a client host. All traffic stays
 * inside namespaces this test creates (no route out of them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VagrantLabInNamespacesIT {
    private static final String VIP = "http://10.77.0.10";
    private static final Pattern RESULT = Pattern.compile(
            "RESULT writesOk=(\\d+) writesUnknown=(\\d+) readsOk=(\\d+) readsFailed=(\\d+) lost=(\\d+) doubled=(\\d+) violations=(\\d+)");
    private static Path dir;
    private static NetnsLab lab;
    /** What the lab's `up` said: a test that fails on a step of it shows that step's lines. */
    private static String upOutput = "";

    @BeforeAll
    static void up() throws IOException {
        Requirements.root();
        Requirements.command("ip");
        Requirements.command("haproxy");
        Requirements.command("keepalived");
        dir = Files.createTempDirectory(Path.of("/tmp"), "tnetns");
        lab = new NetnsLab(dir, "tdmit");
        dev.tandem.testing.Scripts.Result r = lab.run(Duration.ofMinutes(5), "up");
        upOutput = r.output();
        if (r.exit() == NetnsLab.SKIP && !Requirements.underCi()) {
            System.out.println("SKIPPED: " + r.output());
            org.junit.jupiter.api.Assumptions.assumeTrue(false, r.output());
        }
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(lab.vipHolder()).isEqualTo("lb1");
    }

    @AfterAll
    static void down() throws IOException {
        if (lab != null) {
            lab.close();
            String namespaces = new String(new ProcessBuilder("ip", "netns", "list").start().getInputStream().readAllBytes());
            assertThat(namespaces).as("namespaces left behind").doesNotContain("tdmit-");
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The load driver runs as a process inside the client namespace. */
    private Process clientLoad(Path out, int users, int ops, int seconds) throws IOException {
        String cp = Path.of("target/test-classes").toAbsolutePath() + ":" + NodeProcess.jar().toAbsolutePath();
        return lab.spawn(out, "client", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "dev.tandem.testing.load.LoadDriverMain", "--target", VIP,
                "--users", Integer.toString(users), "--ops", Integer.toString(ops),
                "--seconds", Integer.toString(seconds), "--pause-ms", "20");
    }

    private static long progress(Path out) {
        try {
            List<String> lines = Files.readAllLines(out);
            for (int i = lines.size() - 1; i >= 0; i--) {
                Matcher m = Pattern.compile("PROGRESS writesOk=(\\d+)").matcher(lines.get(i));
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    private static long[] result(Process p, Path out) throws Exception {
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("load driver finished").isTrue();
        String text = Files.readString(out);
        Matcher m = RESULT.matcher(text);
        assertThat(m.find()).as("driver output:\n" + text).isTrue();
        long[] v = new long[7];
        for (int i = 0; i < 7; i++) {
            v[i] = Long.parseLong(m.group(i + 1));
        }
        return v;
    }

    @Test
    @Order(0)
    void everyAppNodeStartsFromTheClassArchiveTheProvisioningMadeForItsJar() throws IOException {
        Path archive = lab.runDir().resolve("tandem.jsa");
        assertThat(archive).as("made as app.sh makes it on a VM; the lab said: %s",
                upOutput.lines().filter(l -> l.contains("archive")).toList()).isNotEmptyFile();
        for (String app : List.of("app1", "app2", "app3")) {
            Path host = lab.runDir().resolve(app);
            assertThat(Files.readString(host.resolve("etc/tandem/tandem.env")))
                    .as(app + "'s JVM options").contains("-XX:SharedArchiveFile=" + archive);
            String pid = Files.readString(host.resolve("tandem.pid")).trim();
            assertThat(Files.readString(Path.of("/proc", pid, "maps")))
                    .as(app + "'s JVM maps the archive (a missing or stale one is not mapped)").contains(archive.toString());
        }
    }

    @Test
    @Order(1)
    void sessionsWorkAcrossAppHostsAndKillingAnAppNodeLosesNoAcknowledgedWrite() throws Exception {
        Path out = dir.resolve("load-app-kill.out");
        Process load = clientLoad(out, 4, 400, 90);
        Awaitility.await("load under way").atMost(Duration.ofSeconds(60)).until(() -> progress(out) >= 100);
        lab.ok(Duration.ofSeconds(30), "stop", "app2", "tandem", "KILL");
        long[] r = result(load, out);
        System.out.printf("[netns app kill] writesOk=%d writesUnknown=%d readsOk=%d readsFailed=%d lost=%d doubled=%d violations=%d%n",
                r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
        assertThat(r[4]).as("lost acknowledged writes").isZero();
        assertThat(r[6]).as("violations").isZero();
        assertThat(r[5]).as("doubled").isZero();
        assertThat(r[3]).as("failed reads through the VIP").isZero();
        lab.ok(Duration.ofMinutes(3), "start", "app2", "tandem");
    }

    @Test
    @Order(2)
    void killingHaproxyOnTheMasterMovesTheVipToTheBackupAndTheClientKeepsItsSession() throws Exception {
        Path out = dir.resolve("load-vip-move.out");
        Process load = clientLoad(out, 4, 600, 90);
        Awaitility.await("load under way").atMost(Duration.ofSeconds(60)).until(() -> progress(out) >= 100);
        assertThat(lab.balancerAtVip(VIP)).as("the VIP's answers name their balancer").isEqualTo("lb1");
        long t0 = System.nanoTime();
        lab.ok(Duration.ofSeconds(30), "stop", "lb1", "haproxy", "KILL");
        Awaitility.await("VIP on lb2").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> lab.vipHolder().equals("lb2"));
        long moveMs = (System.nanoTime() - t0) / 1_000_000;
        // What the dashboard reads to put "VIP moved" on its timeline.
        Awaitility.await("answers through lb2").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> lab.balancerAtVip(VIP).equals("lb2"));
        long[] r = result(load, out);
        System.out.printf("[netns VIP move] VIP moved lb1 -> lb2 %d ms after HAProxy on lb1 was killed; "
                        + "failed during the move: writes %d, reads %d; writesOk=%d readsOk=%d lost=%d%n",
                moveMs, r[1], r[3], r[0], r[2], r[4]);
        assertThat(r[4]).as("lost acknowledged writes: the client kept its session").isZero();
        assertThat(r[6]).as("violations").isZero();
        assertThat(moveMs).as("VIP moves within a few seconds").isLessThan(15_000);
        lab.ok(Duration.ofMinutes(1), "start", "lb1", "haproxy");
    }
}
