package dev.tandem.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The one way a node stops: not ready at once, the drain window, then every step in order, whatever fails. */
class DrainSequenceTest {
    private static final Duration WINDOW = Duration.ofMillis(300);

    private final Readiness readiness = new Readiness();
    private final List<String> log = new CopyOnWriteArrayList<>();

    private DrainSequence.Step step(String name) {
        return new DrainSequence.Step(name, () -> log.add(name + " while " + readiness.state()));
    }

    /** Expected by the test: no stack trace, so the log shows one line for it. */
    private static Exception expected(String message) {
        return new Exception(message + " (expected by DrainSequenceTest)", null, false, false) {};
    }

    private static int exitCode(DrainSequence drain) throws Exception {
        return drain.done().get(10, TimeUnit.SECONDS);
    }

    @Test
    void readinessFlipsAtOnceAndTheStepsWaitForTheDrainWindow() throws Exception {
        CountDownLatch firstStep = new CountDownLatch(1);
        long[] stepStartedAfterMillis = new long[1];
        long t0 = System.nanoTime();
        readiness.serving();
        DrainSequence drain = new DrainSequence(readiness, WINDOW, List.of(new DrainSequence.Step("first", () -> {
            stepStartedAfterMillis[0] = (System.nanoTime() - t0) / 1_000_000;
            firstStep.countDown();
        })));

        assertThat(drain.drain("test")).isTrue();

        assertThat(readiness.state()).as("not ready before drain() returns").isEqualTo(Readiness.State.DRAINING);
        assertThat(firstStep.getCount()).as("no step during the window").isEqualTo(1);
        assertThat(exitCode(drain)).isZero();
        assertThat(stepStartedAfterMillis[0]).isGreaterThanOrEqualTo(WINDOW.toMillis());
    }

    @Test
    void theStepsRunInTheirOrderWhileDrainingAndTheNodeEndsStopped() throws Exception {
        readiness.serving();
        DrainSequence drain = new DrainSequence(readiness, Duration.ZERO,
                List.of(step("stop HTTP"), step("leave the cluster"), step("close")));

        drain.drain("test");

        assertThat(exitCode(drain)).isZero();
        assertThat(log).containsExactly("stop HTTP while DRAINING", "leave the cluster while DRAINING", "close while DRAINING");
        assertThat(readiness.state()).isEqualTo(Readiness.State.STOPPED);
    }

    @Test
    void aFailingStepDoesNotStopTheRestAndTheExitCodeSaysSo() throws Exception {
        readiness.serving();
        DrainSequence drain = new DrainSequence(readiness, Duration.ZERO, List.of(
                new DrainSequence.Step("stop HTTP", () -> {
                    throw expected("Jetty would not stop");
                }),
                step("leave the cluster")));

        drain.drain("test");

        assertThat(exitCode(drain)).isEqualTo(1);
        assertThat(log).containsExactly("leave the cluster while DRAINING");
        assertThat(readiness.state()).isEqualTo(Readiness.State.STOPPED);
    }

    @Test
    void itRunsOnceWhoeverAsksAndHowOften() throws Exception {
        readiness.serving();
        DrainSequence drain = new DrainSequence(readiness, Duration.ZERO, List.of(step("stop")));

        assertThat(drain.drain("SIGTERM")).isTrue();
        assertThat(drain.drain("POST /admin/drain")).as("already under way").isFalse();

        assertThat(exitCode(drain)).isZero();
        assertThat(drain.drain("again")).as("already done").isFalse();
        assertThat(log).containsExactly("stop while DRAINING");
    }

    @Test
    void aNodeStillStartingCanBeDrained() throws Exception {
        DrainSequence drain = new DrainSequence(readiness, Duration.ZERO, List.of(step("stop")));

        assertThat(drain.drain("test")).isTrue();

        assertThat(exitCode(drain)).isZero();
        assertThat(log).containsExactly("stop while DRAINING");
    }

    @Test
    void theStepsRunOnANonDaemonThreadSoTheJvmWaitsForThem() throws Exception {
        readiness.serving();
        List<Thread> ran = new CopyOnWriteArrayList<>();
        DrainSequence drain = new DrainSequence(readiness, Duration.ZERO,
                List.of(new DrainSequence.Step("record", () -> ran.add(Thread.currentThread()))));

        drain.drain("test");

        assertThat(exitCode(drain)).isZero();
        assertThat(ran).singleElement().satisfies(t -> {
            assertThat(t.isDaemon()).isFalse();
            assertThat(t.getName()).isEqualTo("tandem-drain");
        });
    }
}
