package dev.tandem.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.infinispan.Cache;
import org.infinispan.factories.ComponentRegistry;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.statetransfer.StateTransferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node can serve sessions, and if not why not: its session cache runs, the view gate
 * lets it in, it holds its own copy of the sessions (the initial state transfer, waited for off the
 * start thread: the cache serves at once), its caches have once settled with a majority of the
 * configured nodes (not before a merge's conflict resolution is over), its partition is the
 * majority's, and no pause has made its view untrustworthy (the {@link PauseFence}).
 */
final class SessionReadiness {
    private static final Logger LOG = LoggerFactory.getLogger(SessionReadiness.class);
    /** Also the answer before the layer has started (see {@link SessionLayer#notReadyReason}). */
    static final Optional<String> NOT_RUNNING = Optional.of("session cache not running");

    private final Cache<String, InfinispanSessionData> sessions;
    private final Cache<?, ?> locks;
    private final ViewGate gate;
    private final CacheSettling settling;
    private final PauseFence fence;
    private final boolean clustered;
    /** How many nodes the cluster is configured with. */
    private final int configuredNodes;
    private final CompletableFuture<Void> initialState = new CompletableFuture<>();
    /** Set once this node's session and lock caches have settled with a majority (see {@link #settledIn}). */
    private volatile boolean settledIn;

    SessionReadiness(Cache<String, InfinispanSessionData> sessions, Cache<?, ?> locks, ViewGate gate,
                     CacheSettling settling, PauseFence fence, boolean clustered, int configuredNodes) {
        this.sessions = sessions;
        this.locks = locks;
        this.gate = gate;
        this.settling = settling;
        this.fence = fence;
        this.clustered = clustered;
        this.configuredNodes = configuredNodes;
    }

    /**
     * Standalone: the node has every session at once. Clustered: waits for this node's own copy on
     * a thread of its own; {@code startNanos} is when the node started, for the log line.
     */
    void awaitInitialState(long startNanos) {
        if (!clustered) {
            initialState.complete(null);
            return;
        }
        Thread waiter = new Thread(() -> {
            StateTransferManager stm = ComponentRegistry.componentOf(sessions, StateTransferManager.class);
            while (!initialState.isDone()) {
                try {
                    stm.waitForInitialStateTransferToComplete();
                    LOG.info("session state received from the cluster in {} ms", (System.nanoTime() - startNanos) / 1_000_000);
                    initialState.complete(null);
                } catch (RuntimeException e) {
                    if (!sessions.getStatus().allowInvocations()) {
                        initialState.completeExceptionally(e);
                    } else {
                        // A rebalance slower than state-transfer's timeout is not the end: keep waiting.
                        LOG.warn("session state not received yet, still waiting: {}", e.toString());
                    }
                }
            }
        }, "tandem-initial-state");
        waiter.setDaemon(true);
        waiter.start();
    }

    /** Whether this node holds its own copy of the sessions. */
    boolean hasInitialState() {
        return initialState.isDone() && !initialState.isCompletedExceptionally();
    }

    /** Empty when this node can serve sessions; otherwise why not (joining, degraded, paused, stopped). */
    Optional<String> notReadyReason() {
        if (sessions.getStatus() != ComponentStatus.RUNNING) {
            return NOT_RUNNING;
        }
        Optional<String> joining = gate.joinRefusal();
        if (joining.isPresent()) {
            return joining;
        }
        if (!initialState.isDone()) {
            return Optional.of("receiving session state from the cluster");
        }
        if (initialState.isCompletedExceptionally()) {
            return Optional.of("state transfer failed");
        }
        if (clustered && !settledIn()) {
            return Optional.of("joining: the cluster is still copying the sessions to this node (rebalance or, after a merge, conflict resolution)");
        }
        if (clustered && !MajorityAvailability.available(sessions)) {
            return Optional.of("cluster degraded: this node is in a minority partition");
        }
        return fence.refusal();
    }

    /**
     * Whether this node's session and lock caches have once settled with it and a majority as
     * members; from then on Infinispan's partition handling and the view gate speak for it.
     */
    boolean settledIn() {
        if (!settledIn && settling.settledWithMajority(sessions, configuredNodes)
                && settling.settledWithMajority(locks, configuredNodes)) {
            settledIn = true;
        }
        return settledIn;
    }
}
