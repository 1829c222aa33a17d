package dev.tandem.partition;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A room's events through a partition {A} | {B, C}, each node a real process in a network
 * namespace of its own: a long-poll listener on every node and a publisher that posts through all
 * of them before, during and after the cut. Every post is recorded (ok with its id / refused /
 * unanswered) and checked against what every listener was given: nothing acknowledged is missing
 * or delivered twice, no listener goes backwards, and all three hold the same events under the
 * same ids, so a client resuming on another node with its cursor misses nothing.
 */
class EventsPartitionIT {
    private static final int NODES = 3;
    private static final int A = 0;
    private static final Duration CUT = Duration.ofSeconds(20);

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void aNodeCutOffPublishesNothingAndAfterTheHealEveryListenerHoldsTheSameEventsInOneOrder() throws Exception {
        NamespacedCluster.run(NODES, "events-partition", EventsPartitionIT::scenario);
    }

    private static void scenario(NodeNamespaces lab, NamespacedCluster cluster, Path dir) throws Exception {
        List<URI> uris = cluster.uris();
        ClientProbe probe = new ClientProbe(lab);
        cluster.awaitOneView(probe, Duration.ofSeconds(120), "all three nodes ready in one view of 3");

        String room = "part-" + UUID.randomUUID().toString().substring(0, 8);
        List<LongPollListener> listeners = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            listeners.add(LongPollListener.start(probe, uris.get(i), "room:" + room, Duration.ofSeconds(170)));
        }
        try {
            Publisher pub = new Publisher(probe, room, dir.resolve("cookies.txt"));
            for (int n = 0; n < 9; n++) {
                pub.post(uris.get(n % NODES), "before");
            }
            assertThat(pub.statuses("before")).as("posts before the cut").containsOnlyKeys(201);

            lab.isolate(A);
            long cut = System.nanoTime();
            int[] turn = {0};
            Awaitility.await("A cut off for " + CUT.toSeconds() + " s").atMost(CUT.plusSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        int t = turn[0]++;
                        // Through B and C in turn, and every third post through A.
                        pub.post(uris.get(t % 3 == 2 ? A : 1 + t % 2), "cut");
                        return System.nanoTime() - cut >= CUT.toNanos();
                    });
            lab.heal(A);
            long heal = System.nanoTime();
            cluster.awaitOneView(probe, Duration.ofSeconds(90), "one view of 3 after the heal");
            long healed = System.nanoTime();
            for (int n = 0; n < 9; n++) {
                pub.post(uris.get(n % NODES), "after");
            }

            Map<Long, String> acked = pub.acknowledged();
            try {
                Awaitility.await("every listener holds every acknowledged event").atMost(Duration.ofSeconds(40))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> listeners.stream().allMatch(l -> l.received().keySet().containsAll(acked.keySet())));
            } catch (ConditionTimeoutException e) {
                // Reported below with the figures, and by the assertions on what each listener holds.
            }
            long caughtUp = System.nanoTime();
            listeners.forEach(LongPollListener::stop);

            StringBuilder got = new StringBuilder();
            for (LongPollListener l : listeners) {
                long missing = acked.keySet().stream().filter(id -> !l.received().containsKey(id)).count();
                got.append(got.isEmpty() ? "" : " ").append(l.received().size()).append(" (missing ").append(missing).append(')');
            }
            System.out.printf(Locale.ROOT, "[events partition {A}|{B,C}] posts before=%s cut(B,C)=%s cut(A)=%s after=%s | "
                            + "events held per listener A,B,C=%s | heal-to-one-view=%.1fs one-view-to-all-delivered=%.1fs | problems %s%n",
                    pub.statuses("before"), pub.statuses("cut", uris.get(1), uris.get(2)), pub.statuses("cut", uris.get(A)),
                    pub.statuses("after"), got, (healed - heal) / 1e9, (caughtUp - healed) / 1e9,
                    listeners.stream().mapToInt(l -> l.problems().size()).sum());

            for (LongPollListener l : listeners) {
                assertThat(l.problems()).as("what the listener on %s saw go wrong", l.node()).isEmpty();
                assertThat(l.received()).as("every acknowledged post on %s, under the id its publisher was given", l.node())
                        .containsAllEntriesOf(acked);
            }
            assertThat(listeners.get(A).received()).as("A's events, id by id, against B's")
                    .isEqualTo(listeners.get(1).received());
            assertThat(listeners.get(2).received()).as("C's events against B's").isEqualTo(listeners.get(1).received());
            assertThat(pub.statuses("cut", uris.get(A)).keySet()).as("what A answered posts while cut off")
                    .isSubsetOf(201, 503, 0);
            assertThat(pub.statuses("cut", uris.get(1), uris.get(2))).as("B and C published during the cut").containsKey(201);
            assertThat(pub.statuses("cut", uris.get(1), uris.get(2)).keySet()).as("what B and C answered during the cut")
                    .isSubsetOf(201, 503, 0);
            assertThat(pub.statuses("after")).as("posts after the heal, A included; not acknowledged: %s; during the cut: %s",
                            pub.refusals("after"), pub.refusals("cut"))
                    .containsOnlyKeys(201);
        } finally {
            listeners.forEach(LongPollListener::stop);
        }
    }

    /** Posts numbered messages to the room as one user, recording each outcome. */
    private static final class Publisher {
        private final ClientProbe probe;
        private final String room;
        private final Path cookies;
        private final List<Post> posts = new ArrayList<>();
        private int seq;

        Publisher(ClientProbe probe, String room, Path cookies) {
            this.probe = probe;
            this.room = room;
            this.cookies = cookies;
        }

        /**
         * status 0: no answer within the client's wait (unknown outcome); why: a refusal's error and
         * message, or that no answer came; ms: how long the client waited.
         */
        record Post(String phase, URI node, String text, int status, long id, String why, long ms) {}

        void post(URI node, String phase) {
            String text = "m" + (++seq) + "-" + phase + "-" + node.getHost();
            long t0 = System.nanoTime();
            ClientProbe.Reply r = probe.post(node, "/api/rooms/" + room + "/messages", "{\"text\":\"" + text + "\"}", cookies);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long id = r.status() == 201 ? r.json().path("id").asLong(-1) : -1;
            String why = r.status() == 201 ? ""
                    : r.status() == 0 ? "no answer" + (r.body().isBlank() ? "" : " (" + r.body().replace('\n', ' ') + ")")
                    : r.json().path("error").asText() + ": " + r.json().path("message").asText();
            posts.add(new Post(phase, node, text, r.status(), id, why, ms));
        }

        /** The posts of a phase that were not acknowledged: node, status, why and the wait, in order. */
        List<String> refusals(String phase) {
            return posts.stream().filter(p -> p.phase().equals(phase) && !p.why().isEmpty())
                    .map(p -> p.node().getHost() + " " + p.status() + " " + p.why() + " in " + p.ms() + " ms").toList();
        }

        Map<Long, String> acknowledged() {
            Map<Long, String> acked = new TreeMap<>();
            posts.stream().filter(p -> p.status() == 201).forEach(p -> acked.put(p.id(), p.text()));
            return acked;
        }

        /** Status → count for the posts of a phase (through the given nodes, or all). */
        Map<Integer, Long> statuses(String phase, URI... through) {
            List<URI> nodes = List.of(through);
            Map<Integer, Long> counts = new TreeMap<>();
            posts.stream().filter(p -> p.phase().equals(phase) && (nodes.isEmpty() || nodes.contains(p.node())))
                    .forEach(p -> counts.merge(p.status(), 1L, Long::sum));
            return counts;
        }
    }

    /**
     * A long-poll client on one node, in the client namespace (one curl per poll, 1 s wait): every
     * event it was given by id, and every step that was wrong (an id not after its cursor, a 410).
     */
    private static final class LongPollListener {
        private final ClientProbe probe;
        private final URI node;
        private final String channel;
        private final Map<Long, String> received = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();
        private final Thread thread;
        private volatile boolean stopped;
        private long cursor;

        private LongPollListener(ClientProbe probe, URI node, String channel, Duration limit) {
            this.probe = probe;
            this.node = node;
            this.channel = channel;
            long deadline = System.nanoTime() + limit.toNanos();
            this.thread = new Thread(() -> {
                while (!stopped && System.nanoTime() < deadline) {
                    pollOnce();
                }
            }, "listener-" + node.getHost());
            thread.setDaemon(true);
        }

        static LongPollListener start(ClientProbe probe, URI node, String channel, Duration limit) {
            LongPollListener l = new LongPollListener(probe, node, channel, limit);
            l.thread.start();
            return l;
        }

        private void pollOnce() {
            ClientProbe.Reply r = probe.get(node, "/api/events?channel=" + channel + "&after=" + cursor + "&wait=1");
            if (r.status() == 200) {
                JsonNode answer = r.json();
                synchronized (this) {
                    for (JsonNode e : answer.path("events")) {
                        long id = e.path("id").asLong();
                        if (id <= cursor) {
                            problems.add("id " + id + " not after cursor " + cursor);
                        }
                        if (received.put(id, e.path("data").path("text").asText()) != null) {
                            problems.add("id " + id + " delivered twice");
                        }
                        cursor = Math.max(cursor, id);
                    }
                }
            } else if (r.status() == 410) {
                synchronized (this) {
                    problems.add("410 at cursor " + cursor + ": " + r.body());
                }
            } else if (r.status() != 204) {
                // Not reachable or not ready: ask again shortly (bounded by the thread's deadline).
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }

        URI node() {
            return node;
        }

        synchronized Map<Long, String> received() {
            return new TreeMap<>(received);
        }

        synchronized List<String> problems() {
            return new ArrayList<>(problems);
        }

        void stop() {
            stopped = true;
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
