package dev.tandem.dashboard;

import dev.tandem.api.Health;
import dev.tandem.api.NodeInfo;
import dev.tandem.cluster.ClusterView;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts this node's status record on the board every second, and timeline events: its own start,
 * readiness changes and stop, and members joining and leaving the cluster view (told by every
 * member under one key per view, so each shows once). One thread does all of it, in order.
 */
public final class StatusPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusPublisher.class);
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final StatusBoard board;
    private final NodeInfo node;
    private final String address;
    private final Health health;
    private final ClusterView cluster;
    private final RequestRates rates;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tandem-lab-status");
        t.setDaemon(true);
        return t;
    });
    /** Set once the view listener is in place (by the starting thread), run by close(). */
    private volatile Runnable unlisten = () -> { };
    private NodeStatus last;
    private String lastKind;
    private boolean failing;

    private StatusPublisher(StatusBoard board, NodeInfo node, URI address, Health health, ClusterView cluster,
                            MeterRegistry metrics) {
        this.board = board;
        this.node = node;
        this.address = address.toString();
        this.health = health;
        this.cluster = cluster;
        this.rates = new RequestRates(metrics);
    }

    /** Starts publishing; readiness is read through {@code health}, the same answer the balancer gets. */
    public static StatusPublisher start(StatusBoard board, NodeInfo node, URI address, Health health,
                                        ClusterView cluster, MeterRegistry metrics) {
        StatusPublisher p = new StatusPublisher(board, node, address, health, cluster, metrics);
        p.thread.execute(() -> p.record("started", node.name() + " started (tandem " + node.version() + ") on " + p.address));
        p.unlisten = board.listen(change -> p.onThread(() -> p.viewChanged(change)));
        p.thread.scheduleAtFixedRate(p::tick, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        return p;
    }

    /** Last word before the node leaves the cluster: "stopped", so the page tells a drain from a crash. */
    @Override
    public void close() {
        unlisten.run();
        onThread(() -> {
            if (last != null) {
                board.publish(last.stopped(System.currentTimeMillis()));
                record("stopped", node.name() + " stopped after draining; leaving the cluster");
            }
        });
        thread.shutdown();
        try {
            if (!thread.awaitTermination(2, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }

    private void tick() {
        try {
            Health.Answer r = health.ready();
            boolean ready = r.status() == 200;
            Map<String, Object> body = r.body();
            String state = String.valueOf(body.get("state"));
            String reason = body.get("reason") == null ? null : body.get("reason").toString();
            last = new NodeStatus(node.name(), address, node.version(), node.startedAt().toEpochMilli(), state, ready,
                    reason, List.copyOf(cluster.members()), rates.sessions(), Math.round(rates.perSecond() * 10) / 10.0,
                    Math.round(rates.p99Millis() * 10) / 10.0, Math.round(rates.refusedPerSecond() * 10) / 10.0,
                    System.currentTimeMillis());
            board.publish(last);
            readinessEvent(ready, state, reason);
            failing = false;
        } catch (RuntimeException e) {
            // The cache stops under us while the node shuts down; anything else is worth one line.
            if (!failing) {
                LOG.warn("could not publish the dashboard status: {}", e.toString());
            }
            failing = true;
        }
    }

    private void readinessEvent(boolean ready, String state, String reason) {
        String kind = ready ? "ready" : "draining".equals(state) ? "draining" : "not-ready";
        // Not ready for another reason (joining, then degraded) is news too.
        String said = kind + "/" + reason;
        if (said.equals(lastKind)) {
            return;
        }
        lastKind = said;
        switch (kind) {
            case "ready" -> record(kind, node.name() + " ready (" + members(cluster.members().size()) + " in its view)");
            case "draining" -> record(kind, node.name() + " draining: not ready, finishing its requests");
            default -> record(kind, node.name() + ("starting".equals(state) && reason != null
                    ? " " + reason
                    : " not ready: " + (reason == null ? state : reason)));
        }
    }

    private void viewChanged(BoardStore.ViewChange change) {
        long now = System.currentTimeMillis();
        for (String n : change.joined()) {
            shared(change.viewId() + "/joined/" + n, new LabEvent(now, n, "joined",
                    n + " joined the cluster view (" + members(change.members()) + ")", node.name()));
        }
        for (String n : change.left()) {
            NodeStatus said = board.last(n);
            boolean drained = said != null && Set.of("draining", "stopped").contains(said.state());
            shared(change.viewId() + "/left/" + n, new LabEvent(now, n, drained ? "left-drained" : "left", n + (drained
                    ? " left the cluster view after draining"
                    : " left the cluster view without draining (killed or crashed)"), node.name()));
        }
    }

    private void shared(String id, LabEvent event) {
        try {
            board.recordShared(id, event);
        } catch (RuntimeException e) {
            LOG.warn("could not record the dashboard event '{}': {}", event.text(), e.toString());
        }
    }

    private static String members(int n) {
        return n + (n == 1 ? " member" : " members");
    }

    private void record(String kind, String text) {
        event(node.name(), kind, text);
    }

    private void event(String about, String kind, String text) {
        try {
            board.record(new LabEvent(System.currentTimeMillis(), about, kind, text, node.name()));
        } catch (RuntimeException e) {
            LOG.warn("could not record the dashboard event '{}': {}", text, e.toString());
        }
    }

    private void onThread(Runnable work) {
        try {
            thread.execute(work);
        } catch (RejectedExecutionException e) {
            // closed: the node is leaving, nothing more to tell
        }
    }
}
