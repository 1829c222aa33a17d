package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.InJvmCluster;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Three real nodes in this JVM: events published anywhere reach listeners everywhere, in one order. */
class EventsClusterTest {
    private static final Logger LOG = LoggerFactory.getLogger(EventsClusterTest.class);
    private final InJvmCluster cluster = new InJvmCluster(3);
    private final List<SseClient> streams = new ArrayList<>();

    @AfterEach
    void stopAll() {
        streams.forEach(SseClient::close);
        cluster.close();
    }

    @Test
    void eventsPublishedOnAnyNodeReachListenersOnEveryNodeInOneOrderAndSurviveTheirNodesDrain() throws Exception {
        List<RunningNode> nodes = cluster.startAll("a", "b", "c");
        RunningNode a = nodes.get(0);
        RunningNode b = nodes.get(1);
        RunningNode c = nodes.get(2);

        // Long polls on B and C wait for a message posted through A.
        TestHttp onA = a.client();
        long cursor = onA.get("/api/events?channel=room:lobby").json().get("cursor").asLong();
        List<CompletableFuture<TestHttp.Reply>> polls = new ArrayList<>();
        for (RunningNode n : List.of(b, c)) {
            polls.add(CompletableFuture.supplyAsync(() -> n.client().get("/api/events?channel=room:lobby&wait=20&after=" + cursor)));
        }
        SseClient sseA = stream(a, "room:lobby", null);
        SseClient sseB = stream(b, "room:lobby", null);
        SseClient sseC = stream(c, "room:lobby", null);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.node() != null
                && !sseA.served().isEmpty() && !sseB.served().isEmpty() && !sseC.served().isEmpty());
        // The long polls must be waiting, not answered by their first read: each of b and c holds a poll and a stream.
        Awaitility.await("a poll and a stream waiting on b and c").atMost(Duration.ofSeconds(10))
                .until(() -> waiting(b) >= 2 && waiting(c) >= 2);
        long t0 = System.nanoTime();
        assertThat(onA.post("/api/rooms/lobby/messages", "{\"text\":\"first\"}").status()).isEqualTo(201);
        for (CompletableFuture<TestHttp.Reply> p : polls) {
            TestHttp.Reply r = p.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().at("/events/0/data/text").asText()).isEqualTo("first");
            assertThat(r.json().at("/events/0/node").asText()).as("published by").isEqualTo("a");
        }
        LOG.info("[events] publish on a -> long polls on b and c answered within {} ms",
                (System.nanoTime() - t0) / 1_000_000);

        // Three publishers at once, one per node: every listener sees one sequence, ids without gaps.
        int perNode = 40;
        List<CompletableFuture<Void>> publishers = new ArrayList<>();
        for (RunningNode n : List.of(a, b, c)) {
            publishers.add(CompletableFuture.runAsync(() -> {
                TestHttp http = n.client();
                IntStream.range(0, perNode).forEach(i -> assertThat(http.post("/api/rooms/lobby/messages",
                        "{\"text\":\"" + n.name() + "-" + i + "\"}").status()).isEqualTo(201));
            }));
        }
        CompletableFuture.allOf(publishers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        int total = 1 + 3 * perNode;
        for (SseClient s : List.of(sseA, sseB, sseC)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> s.events().size() >= total);
        }
        List<String> order = texts(sseA);
        assertThat(order).hasSize(total);
        assertThat(texts(sseB)).as("b's order").isEqualTo(order);
        assertThat(texts(sseC)).as("c's order").isEqualTo(order);
        for (SseClient s : List.of(sseA, sseB, sseC)) {
            assertIdsConsecutive(s);
        }
        for (String node : List.of("a", "b", "c")) {
            List<String> own = order.stream().filter(t -> t.startsWith(node + "-")).toList();
            assertThat(own).as("each publisher's messages in its own order")
                    .isEqualTo(IntStream.range(0, perNode).mapToObj(i -> node + "-" + i).toList());
        }

        // A session changed through C is heard by the same session's stream on B.
        TestHttp user = c.client();
        assertThat(user.post("/api/session/counter", null).status()).isEqualTo(200);
        SseClient mine = stream(b, "session", user.sessionId());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !mine.served().isEmpty());
        assertThat(user.at(c.uri()).post("/api/session/counter", null).status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(mine.events()).extracting(e -> e.data().at("/data/value").asLong()).contains(2L));

        // A drains: its stream is told to reconnect, resumes on B from its last id, and misses nothing.
        sseA.reconnectTo(b.uri());
        CompletableFuture<Void> more = CompletableFuture.runAsync(() -> IntStream.range(0, 20).forEach(i ->
                assertThat(c.client().post("/api/rooms/lobby/messages", "{\"text\":\"late-" + i + "\"}").status()).isEqualTo(201)));
        a.close();
        more.get(60, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> sseA.events().size() >= total + 20);
        assertThat(texts(sseA)).isEqualTo(texts(sseC));
        assertIdsConsecutive(sseA);
        assertThat(sseA.served()).as("served by a, then by b after the drain").containsExactly("a", "b");
        assertThat(sseA.notices()).contains("reconnect");
    }

    private static List<String> texts(SseClient s) {
        return s.events().stream().map(e -> e.data().at("/data/text").asText()).toList();
    }

    private static void assertIdsConsecutive(SseClient s) {
        List<Long> ids = s.events().stream().map(SseClient.Received::id).toList();
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("id after " + ids.get(i - 1)).isEqualTo(ids.get(i - 1) + 1);
        }
    }

    private SseClient stream(RunningNode n, String channel, String cookie) {
        SseClient s = new SseClient(n.uri(), channel, cookie);
        streams.add(s);
        return s;
    }

    private static int waiting(RunningNode n) {
        return (int) n.client().metric("tandem_events_waiting").orElse(0);
    }
}
