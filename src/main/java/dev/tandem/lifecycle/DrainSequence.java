package dev.tandem.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a node stops: not ready at once, keep serving while the balancer notices, then the
 * given steps (for a jar node: stop Jetty gracefully, then leave the cluster). Runs once, whoever asks.
 */
public final class DrainSequence implements Drainer {
    private static final Logger LOG = LoggerFactory.getLogger(DrainSequence.class);

    /** Work that may fail; the sequence goes on so the node still exits. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** One step after the drain window, with what the log says about it. */
    public record Step(String what, Action action) {}

    private final Readiness readiness;
    private final Duration drainTime;
    private final List<Step> steps;
    private final CompletableFuture<Integer> done = new CompletableFuture<>();

    public DrainSequence(Readiness readiness, Duration drainTime, List<Step> steps) {
        this.readiness = readiness;
        this.drainTime = drainTime;
        this.steps = List.copyOf(steps);
    }

    @Override
    public boolean drain(String reason) {
        if (!readiness.draining()) {
            return false;
        }
        LOG.info("draining ({}): not ready now, serving {} s more before a graceful stop", reason, drainTime.toSeconds());
        Thread t = new Thread(this::run, "tandem-drain");
        t.setDaemon(false);
        t.start();
        return true;
    }

    /** Completes with the process exit code once the node has stopped and left the cluster. */
    public CompletableFuture<Integer> done() {
        return done;
    }

    private void run() {
        int code = 0;
        try {
            TimeUnit.MILLISECONDS.sleep(drainTime.toMillis()); // the balancer's time to notice, by design
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long t0 = System.nanoTime();
        for (Step step : steps) {
            code |= attempt(step);
        }
        readiness.stopped();
        LOG.info("drained and stopped in {} ms after the drain window; exit code {}", (System.nanoTime() - t0) / 1_000_000, code);
        done.complete(code);
    }

    private static int attempt(Step step) {
        LOG.info(step.what());
        try {
            step.action().run();
            return 0;
        } catch (Exception e) {
            LOG.error("failed while {}", step.what(), e);
            return 1;
        }
    }
}
