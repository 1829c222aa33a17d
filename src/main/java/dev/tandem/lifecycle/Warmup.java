package dev.tandem.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.net.InetSocketAddress;
import dev.tandem.cluster.ClusterView;
import dev.tandem.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded synthetic pass through the node's own request paths before it reports ready, so the
 * JIT has compiled them before the balancer sends real traffic (issue 16: a cold node served ~6% of
 * its plateau in its first 5 s of load). The requests go to the node's own connector over kept-alive
 * loopback connections ({@link WarmupConnection}), so they take the whole path a client's request
 * takes: socket and selector, the handler tree (request budget, size limit, sessions), filters,
 * resources and the session store. The client is a few lines of blocking socket code,
 * not an HTTP library: the JDK's HTTP client took 12 % of the node's CPU in a pass. Failures are
 * counted, never fatal.
 *
 * <p>The pass lasts until the JIT is done (its compile queue stays empty for a few seconds), not a
 * fixed time: on one core the tiered JIT needs about half a minute of these paths, and a node made
 * ready before that serves a fraction of its plateau for as long (bench/node/README.md). The
 * budget bounds it.
 *
 * <p>Sessions: once the node can serve them, each client thread writes a session of its own, all of
 * them read one shared session, and every one is invalidated at the end. One client ends its own
 * session and starts a new one every {@link #RENEWAL_ROUNDS} rounds, so ending and making sessions
 * is compiled as it runs in real traffic, and the pass's own end takes no path the JIT has not
 * seen. What stays behind are
 * those sessions' event channels (the replay buffers of their writes, at most
 * {@code ChannelViews.CAPACITY} events each), until their retention ends, as any ended session's. A
 * clustered node's session requests are replicated to, and locked on, the other members while they
 * serve, so there only a few clients make them, paced ({@link #CLUSTERED_SESSION_ROUNDS},
 * {@link #PACED_SESSION_CLIENTS}); the paths without a session run at full speed beside them.
 */
public final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /**
     * At most this many client threads, and never more than the node's budget is sure to admit
     * (about its request limit, which is what HAProxy sends it at once): the paths under concurrency
     * (lock waits, the session's line, the selector with many connections) are compiled too; with 4
     * clients the node compiled for 1.6-2.3 s more in its first 5 s of 64 connections, at 0.61 of its
     * plateau. 64 (for a limit of 64) did no better there: one session read on 64 connections, first
     * 5 s 0.67-0.93 of the plateau against 0.65-0.91 with 16, four runs each (two of them
     * bench/warmup's: bench/results/20261201-22*-warmup*.txt).
     */
    public static final int MAX_CLIENTS = 16;
    /**
     * Rounds of session requests (three reads of the shared session, two writes and a read of the
     * client's own) a clustered node's pass starts per second, all clients together: the session
     * paths, replication included, get compiled while the other members apply at most this many
     * rounds' writes. 50: a node's first 5 s of clustered writes went from 0.11-0.21 of its plateau
     * to 0.31-0.56, and 200 did no better (bench/node/clustered-warmup.md).
     */
    public static final long CLUSTERED_SESSION_ROUNDS = 50;
    /**
     * A paced pass's clients with sessions of their own (and rounds); the others send only
     * session-free requests, which so never wait on replication: with every client in rounds, a
     * clustered node's pass sent a quarter of the requests in its minute.
     */
    static final int PACED_SESSION_CLIENTS = 4;
    /**
     * A renewing client ends its session and starts a new one after this many rounds. Without it the
     * pass ended sessions only at its very end: each branch that first ran there (a DELETE's, an
     * invalidation's) threw compiled code back to the interpreter just as the node turned ready,
     * among it Jetty's request parser and the metrics filter, recompiled in the first seconds of
     * real load (30-41 C2-compiled methods made not entrant in the pass's last second;
     * bench/node/pass-end.md). One client only: its sessions' event channels stay until their
     * retention, and one that ends before it holds 1,000 events keeps every round's two, about 1 KB
     * of heap each (with half the clients renewing, a pass left 9-16 MB more heap behind).
     */
    static final int RENEWAL_ROUNDS = 16;
    /** The client that renews its session: the second, so a pass of one client (a request limit of 1) keeps its one session. */
    static final int RENEWING_CLIENT = 1;
    /** A standalone node's rounds: as fast as its clients go. */
    public static final long UNPACED = Long.MAX_VALUE;
    /**
     * What each client asks in every turn, a session or not: the API's node info, the liveness check,
     * and the JSON error path. None once the pass stops: a node too slow to answer them in time would
     * hold the pass's end for each one.
     */
    private static final String[] SESSION_FREE_PATHS = {"/api/node", "/health/live", "/api/warmup-not-found"};
    /** The Accept headers the clients take turns with; null: none. */
    private static final String[] ACCEPTS = {null, "*/*", "application/json"};
    /** How long a request without a session waits for its answer. */
    private static final int REQUEST_TIMEOUT_MS = 2_000;
    /**
     * Longer than the node takes to serve a session request it has admitted (its lock wait 3 s, its
     * replication 5 s): a request that makes or names a session waits this, plus the node's queue time.
     */
    static final Duration SESSION_SERVE_BOUND = Duration.ofSeconds(10);
    private final InetSocketAddress address;
    private final Duration budget;
    /** Nanoseconds between two session rounds (0: unpaced). */
    private final long roundEveryNanos;
    private final int clients;
    /** Clients with sessions of their own, which run the rounds: none when no rounds are asked for. */
    private final int sessionClients;
    private final BooleanSupplier sessionsReady;
    private final JitWatch jit = new JitWatch();
    private final WarmupRequests requests;
    private final SessionRounds rounds;
    /** How long the pass waits for its clients once it stops: a request in flight and the end of the client's session. */
    private final long clientEndMs;
    private volatile boolean stop;
    private boolean settled;

    /**
     * @param address where the node's HTTP connector listens, open ({@link ListeningAddress})
     * @param budget how long the pass runs at most (it ends sooner once the JIT is done); zero turns it off
     * @param sessionRounds how many rounds of session requests the pass starts per second, all
     *                      clients together: {@link #UNPACED}, {@link #CLUSTERED_SESSION_ROUNDS}, or 0 for none
     * @param clientLimit how many clients the node's request budget is sure to admit: the pass
     *                    runs at most that many (and {@link #MAX_CLIENTS})
     * @param sessionsReady whether the node can serve sessions yet: no session is made before (a
     *                      clustered node's pass starts while the cluster may still be forming)
     */
    public Warmup(InetSocketAddress address, Duration budget, long sessionRounds, int clientLimit, BooleanSupplier sessionsReady) {
        this(address, budget, sessionRounds, clientLimit, sessionsReady, Duration.ZERO);
    }

    /** @param queueTime how long the node lets a request wait for its turn (--queue-ms) */
    Warmup(InetSocketAddress address, Duration budget, long sessionRounds, int clientLimit, BooleanSupplier sessionsReady,
           Duration queueTime) {
        int sessionTimeoutMs = Math.toIntExact(SESSION_SERVE_BOUND.plus(queueTime).toMillis());
        this.address = address;
        this.requests = new WarmupRequests(address, sessionTimeoutMs);
        this.clientEndMs = (1L + WarmupRequests.END_TRIES) * sessionTimeoutMs + 500;
        this.budget = budget;
        this.roundEveryNanos = sessionRounds <= 0 || sessionRounds == UNPACED ? 0 : 1_000_000_000L / sessionRounds;
        this.clients = Math.max(1, Math.min(MAX_CLIENTS, clientLimit));
        this.sessionClients = sessionRounds <= 0 ? 0 : roundEveryNanos == 0 ? clients : Math.min(clients, PACED_SESSION_CLIENTS);
        this.sessionsReady = sessionsReady;
        this.rounds = new SessionRounds(requests, roundEveryNanos, () -> stop);
    }

    /**
     * A node's pass as its options ask, the fat jar's and a WAR node's alike: for at most
     * --warmup-seconds, paced when clustered, never more clients than the request budget is sure to
     * admit ({@link dev.tandem.overload.OverloadLimits#clientsNeverRefused}), sessions once the
     * cluster can serve them.
     */
    public static Warmup forNode(InetSocketAddress address, NodeConfig config, ClusterView cluster) {
        return new Warmup(address, config.warmup(), cluster.clustered() ? CLUSTERED_SESSION_ROUNDS : UNPACED,
                config.overload().clientsNeverRefused(), () -> cluster.notReadyReason().isEmpty(), config.overload().queueTime());
    }

    /**
     * Before the node's pass: the node says it is warming up for as long as it is starting (an
     * operator waiting on a lab's start, or looking at HAProxy's 503s, sees it is not stuck);
     * nothing when the pass is off.
     */
    public static void announce(NodeConfig config, Readiness readiness) {
        Duration budget = config.warmup();
        if (!off(budget)) {
            readiness.stillStarting("warming up: not ready until its request paths are compiled (at most "
                    + budget.toSeconds() + " s)");
        }
    }

    private static boolean off(Duration budget) {
        return budget.isZero() || budget.isNegative();
    }

    /**
     * Runs the pass; returns once the JIT is done or the budget is spent (at once when it is zero),
     * or early when the calling thread is interrupted (a WAR node undeployed while warming up).
     */
    public void run() {
        if (off(budget)) {
            return;
        }
        long t0 = System.nanoTime();
        long deadline = t0 + budget.toNanos();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                // Half the clients name the host, half give the address, as browsers and probes do:
                // the node's URI handling compiles for both instead of deoptimizing on the first of the other kind.
                String host = i % 2 == 0 ? "localhost" : address.getAddress().getHostAddress() + ":" + address.getPort();
                // No Accept header (wrk, many API clients), any (curl, browsers' fetch) or JSON: Jersey's
                // negotiation compiles for all three (a pass that sent none deoptimized on curl's first request).
                String accept = ACCEPTS[i % ACCEPTS.length];
                boolean ownSession = i < sessionClients;
                // The others keep theirs for the whole pass: a long-lived session's paths (its event log full) get compiled too.
                boolean renews = i == RENEWING_CLIENT;
                Thread t = new Thread(() -> loop(host, accept, ownSession, renews), "tandem-warmup-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            settled = jit.awaitQuiet(deadline, requests::sent);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            requests.failures().failed(e);
            LOG.warn("the warm-up pass could not start: {}", e.toString());
        } finally {
            stop = true; // also when interrupted: the clients end their own sessions and stop
            awaitClients(threads, clientEndMs);
            rounds.endShared(connect("localhost"));
        }
        LOG.info("warmed up in {} ms ({}): {} requests through the node's own stack ({}){}; per second, requests/ms compiling:{}",
                (System.nanoTime() - t0) / 1_000_000, settled ? "the JIT is done"
                        : Thread.currentThread().isInterrupted() ? "stopped early" : "the budget ran out, the JIT was still compiling",
                requests.sent(), requests.failures().describe(), "; " + rounds.count() + " session rounds on " + requests.sessionsMade() + " sessions"
                        + (sessionClients == 0 ? " (none asked for)" : roundEveryNanos > 0 ? " (at most " + 1_000_000_000L / roundEveryNanos + "/s)" : ""),
                jit.curve());
    }

    /**
     * Waits for each client's request in flight and its own session's end, also when this thread was
     * interrupted: a read of the shared session still under way when it ends would make a new one that
     * nobody ends. The clients wait out their requests for at most {@code endMs} all told, which is
     * how long this waits (a client still busy after that is left behind).
     */
    private static void awaitClients(List<Thread> threads, long endMs) {
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + endMs * 1_000_000L;
        try {
            for (Thread t : threads) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A connection to the node's own port whose requests name {@code host} (connected on its first request). */
    private WarmupConnection connect(String host) {
        return new WarmupConnection(address, host, REQUEST_TIMEOUT_MS);
    }

    private void loop(String host, String accept, boolean ownSession, boolean renews) {
        try (WarmupConnection connection = new WarmupConnection(address, host, accept, REQUEST_TIMEOUT_MS)) {
            loop(connection, ownSession, renews);
        }
    }

    private void loop(WarmupConnection connection, boolean ownSession, boolean renews) {
        Optional<String> own = Optional.empty();
        long ownRounds = 0;
        try {
            while (!stop && !Thread.currentThread().isInterrupted()) {
                for (int i = 0; i < SESSION_FREE_PATHS.length && !stop; i++) {
                    requests.send(connection, "GET", SESSION_FREE_PATHS[i], null, null);
                }
                // Not once the pass stops: a client would make a session only to end it.
                if (ownSession && !stop && sessionsReady.getAsBoolean() && rounds.due()) {
                    own = own.isPresent() ? own : requests.newSession(connection.host());
                    Optional<String> sharedSession = rounds.shared();
                    if (own.isPresent() && sharedSession.isPresent()) {
                        rounds.round(connection, own.get(), sharedSession.get());
                        if (renews && ++ownRounds % RENEWAL_ROUNDS == 0) {
                            requests.endSession(connection, own.get());
                            own = Optional.empty(); // the next round starts a new one
                        }
                    }
                }
            }
        } finally {
            own.ifPresent(c -> requests.endSession(connection, c));
        }
    }

    public long requests() {
        return requests.sent();
    }

    public long failures() {
        return requests.failures().total();
    }

    /** Sessions the pass made (and ended), the shared one included. */
    public long sessionsMade() {
        return requests.sessionsMade();
    }

    /** Rounds of session requests sent. */
    public long sessionRounds() {
        return rounds.count();
    }
}
