package dev.tandem.testing.history;

import dev.tandem.testing.TestHttp;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Clients working on shared sessions, every operation recorded in a {@link History}. Client i
 * works on session {@code i % sessions} and sends request j to {@code targets.apply(i).get(j % n)}.
 * Bounded in operations and in time; {@link #stop()} ends it early.
 */
public final class SessionWorkload {
    /** What a client does at its j-th step. */
    public enum Mix {
        /** Increments only. */
        INCREMENTS,
        /** Two increments, then a read. */
        INCREMENTS_AND_READS,
        /** Reads only (a reader that must never erase anyone's writes). */
        READS,
        /** An attribute of its own every 20th step (a session holds 64 at most), increments between. */
        ATTRIBUTES_AND_INCREMENTS,
        /**
         * As INCREMENTS_AND_READS, and a login every 10th step, which changes the session's id: only
         * for a client alone on its session. A login sent but not answered leaves its client not
         * knowing the id: it stops there, as its user would have to log in again.
         */
        LOGINS_INCREMENTS_AND_READS
    }

    private final int clients;
    private final int sessions;
    private final IntFunction<List<URI>> targets;
    private final IntFunction<Mix> mix;
    private final int opsPerClient;
    private final Duration maxDuration;
    private final History history = new History();
    private final List<String> sessionIds = new ArrayList<>();
    /** Each session's cookie now, by the session's first id (its name in the history): a login changes it. */
    private final Map<String, String> cookies = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private Duration requestTimeout = Duration.ofSeconds(10);

    public SessionWorkload(int clients, int sessions, IntFunction<List<URI>> targets, IntFunction<Mix> mix,
                           int opsPerClient, Duration maxDuration) {
        this.clients = clients;
        this.sessions = sessions;
        this.targets = targets;
        this.mix = mix;
        this.opsPerClient = opsPerClient;
        this.maxDuration = maxDuration;
    }

    public SessionWorkload requestTimeout(Duration t) {
        this.requestTimeout = t;
        return this;
    }

    public History history() {
        return history;
    }

    public long completed() {
        return completed.get();
    }

    /** Operations answered OK so far (what the cluster really served). */
    public long acknowledged() {
        return acknowledged.get();
    }

    public void stop() {
        stop.set(true);
    }

    /** Creates the sessions, runs every client to its end, and returns the history. */
    public History run() throws Exception {
        for (int c = 0; c < clients; c++) {
            if (mix.apply(c) == Mix.LOGINS_INCREMENTS_AND_READS && clients > sessions && (c >= sessions || c + sessions < clients)) {
                throw new IllegalArgumentException("client " + c + " logs in, so it must be alone on its session");
            }
        }
        for (int s = 0; s < sessions; s++) {
            TestHttp http = new TestHttp(targets.apply(s).get(0));
            TestHttp.Reply r = http.get("/api/session");
            if (r.status() != 200 || http.sessionId() == null) {
                throw new IllegalStateException("could not create session " + s + ": " + r.status() + " " + r.body());
            }
            sessionIds.add(http.sessionId());
            cookies.put(clusterId(http.sessionId()), http.sessionId());
        }
        long deadline = System.nanoTime() + maxDuration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> runClient(client, deadline)));
            }
            for (Future<?> f : futures) {
                f.get(maxDuration.toMillis() + requestTimeout.toMillis() * 3, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return history;
    }

    /** Runs the workload in the background, as {@link #run()} does. */
    public java.util.concurrent.CompletableFuture<History> start() {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void runClient(int client, long deadline) {
        String cookie = sessionIds.get(client % sessions);
        String session = clusterId(cookie);
        List<URI> mine = targets.apply(client);
        TestHttp http = new TestHttp(mine.get(0)).timeout(requestTimeout);
        int attr = 0;
        for (int j = 0; j < opsPerClient && !stop.get() && System.nanoTime() < deadline; j++) {
            http.at(mine.get(j % mine.size()));
            http.sessionId(cookie); // a client never adopts another session's cookie
            Op.Kind kind = switch (mix.apply(client)) {
                case INCREMENTS -> Op.Kind.INCREMENT;
                case INCREMENTS_AND_READS -> j % 3 == 2 ? Op.Kind.READ : Op.Kind.INCREMENT;
                case READS -> Op.Kind.READ;
                case ATTRIBUTES_AND_INCREMENTS -> j % 20 == 0 ? Op.Kind.PUT_ATTRIBUTE : Op.Kind.INCREMENT;
                case LOGINS_INCREMENTS_AND_READS -> j % 10 == 9 ? Op.Kind.LOGIN : j % 3 == 2 ? Op.Kind.READ : Op.Kind.INCREMENT;
            };
            String arg = switch (kind) {
                case PUT_ATTRIBUTE -> "c" + client + "_" + attr++;
                case LOGIN -> "u" + client + "_" + j;
                default -> null;
            };
            long invoked = System.nanoTime();
            try {
                TestHttp.Reply r = switch (kind) {
                    case INCREMENT -> http.post("/api/session/counter", null);
                    case READ -> http.get("/api/session");
                    case PUT_ATTRIBUTE -> http.put("/api/session/attributes/" + arg, "\"v\"");
                    case LOGIN -> http.post("/api/login", "{\"user\":\"" + arg + "\"}");
                };
                Op op = outcome(client, session, clusterId(cookie), kind, arg, invoked, r);
                history.add(op);
                if (op.outcome() == Op.Outcome.OK) {
                    acknowledged.incrementAndGet();
                }
                if (kind == Op.Kind.LOGIN && r.sessionCookie().isPresent()) {
                    // The session's new id (a refused login that had already moved the session carries it too).
                    cookie = r.sessionCookie().get();
                    cookies.put(session, cookie);
                }
            } catch (RuntimeException e) {
                // A connection refused sent nothing (a node down): that operation certainly did not happen.
                boolean notSent = e.getCause() instanceof java.net.ConnectException;
                history.add(new Op(client, session, kind, arg, invoked, System.nanoTime(),
                        kind == Op.Kind.READ || notSent ? Op.Outcome.FAILED : Op.Outcome.UNKNOWN, -1, http.base().toString(), false,
                        (notSent ? "not sent: " : HistoryChecker.NO_ANSWER) + e.getMessage()));
                if (kind == Op.Kind.LOGIN && !notSent) {
                    completed.incrementAndGet();
                    cookies.remove(session); // its id is unknown now
                    return;
                }
            }
            completed.incrementAndGet();
        }
    }

    /** {@code current}: the session's id the request was sent with (a login changes it). */
    private static Op outcome(int client, String session, String current, Op.Kind kind, String arg, long invoked,
                              TestHttp.Reply r) {
        long done = System.nanoTime();
        String cookie = r.sessionCookie().orElse(null);
        boolean replaced = kind != Op.Kind.LOGIN && cookie != null && !clusterId(cookie).equals(current);
        int status = r.status();
        if (status == 200 || status == 204) {
            long value = switch (kind) {
                case INCREMENT -> r.json().get("value").asLong();
                case READ -> r.json().get("counter").asLong();
                case PUT_ATTRIBUTE, LOGIN -> 0;
            };
            if (kind == Op.Kind.READ && r.json().path("new").asBoolean(false)) {
                replaced = true;
            }
            return new Op(client, session, kind, arg, invoked, done, Op.Outcome.OK, value, r.node(), replaced,
                    replaced ? "new session " + cookie : "");
        }
        // A refused read changed nothing; a refused write may have been cut off after the cluster took it.
        Op.Outcome outcome = kind == Op.Kind.READ || (status >= 400 && status < 500) ? Op.Outcome.FAILED : Op.Outcome.UNKNOWN;
        return new Op(client, session, kind, arg, invoked, done, outcome, -1, r.node(), replaced, status + " " + r.body());
    }

    /**
     * Reads every session's final state from any target that answers, within the deadline, under
     * the session's id now (after its logins), by its first id. A session whose client no longer
     * knows its id (a login without an answer) is not read.
     */
    public Map<String, HistoryChecker.FinalState> finalStates(List<URI> anyOf, Duration within) {
        Map<String, HistoryChecker.FinalState> out = new HashMap<>();
        long deadline = System.nanoTime() + within.toNanos();
        for (String first : sessionIds) {
            String session = clusterId(first);
            String cookie = cookies.get(session);
            if (cookie == null) {
                continue;
            }
            Iterator<URI> it = anyOf.iterator();
            while (System.nanoTime() < deadline && !out.containsKey(session)) {
                if (!it.hasNext()) {
                    it = anyOf.iterator();
                }
                TestHttp http = new TestHttp(it.next()).timeout(Duration.ofSeconds(5));
                http.sessionId(cookie);
                try {
                    TestHttp.Reply r = http.get("/api/session");
                    if (r.status() == 200 && !r.json().path("new").asBoolean(false)) {
                        Set<String> attrs = new HashSet<>();
                        r.json().get("attributes").fieldNames().forEachRemaining(attrs::add);
                        out.put(session, new HistoryChecker.FinalState(r.json().get("counter").asLong(), attrs));
                    }
                } catch (RuntimeException e) {
                    // that node is down or refusing; ask the next
                }
            }
        }
        return out;
    }

    /** The session's cluster-wide id: the cookie value without the node suffix. */
    public static String clusterId(String cookie) {
        int dot = cookie.indexOf('.');
        return dot < 0 ? cookie : cookie.substring(0, dot);
    }
}
