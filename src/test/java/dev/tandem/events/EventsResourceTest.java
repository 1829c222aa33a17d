package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.cluster.SharedCaches;
import dev.tandem.testing.BesideOtherTests;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.infinispan.Cache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The events API on one node: long poll, SSE, rooms, session changes, bad input, threads. */
class EventsResourceTest {
    private static final Logger LOG = LoggerFactory.getLogger(EventsResourceTest.class);
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension("ev1");

    private static String post(TestHttp http, String room, String text) {
        TestHttp.Reply r = http.post("/api/rooms/" + room + "/messages", "{\"text\":\"" + text + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void aWaitingLongPollIsAnsweredWithTheRoomMessageAndItsCursorResumesRightAfterIt() throws Exception {
        TestHttp alice = NODE.client();
        long start = alice.get("/api/events?channel=room:lp1").json().get("cursor").asLong();
        int before = waiting();
        CompletableFuture<TestHttp.Reply> waiting = CompletableFuture.supplyAsync(
                () -> NODE.client().get("/api/events?channel=room:lp1&wait=20&after=" + start));
        // The answer must come from the publish, not the poll's first read.
        Awaitility.await("the poll waiting").atMost(Duration.ofSeconds(10)).until(() -> waiting() > before);
        long t0 = System.nanoTime();
        String id = post(alice, "lp1", "hello");
        TestHttp.Reply r = waiting.get(10, TimeUnit.SECONDS);
        LOG.info("[events] publish -> waiting long poll answered in {} ms", (System.nanoTime() - t0) / 1_000_000);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("events")).hasSize(1);
        assertThat(r.json().at("/events/0/data/text").asText()).isEqualTo("hello");
        assertThat(r.json().at("/events/0/node").asText()).isEqualTo("ev1");
        assertThat(r.json().get("cursor").asText()).isEqualTo(id);

        post(alice, "lp1", "second");
        post(alice, "lp1", "third");
        JsonNode next = alice.get("/api/events?channel=room:lp1&after=" + id).json();
        assertThat(next.get("events")).extracting(e -> e.at("/data/text").asText()).containsExactly("second", "third");
        assertThat(next.at("/events/1/id").asLong()).isEqualTo(next.at("/events/0/id").asLong() + 1);
        assertThat(alice.get("/api/events?channel=room:lp1&wait=0&after=" + next.get("cursor").asText()).status())
                .as("nothing new, no wait").isEqualTo(204);
        assertThat(alice.get("/api/events?channel=room:lp1&after=0").json().get("events")).hasSize(3);
    }

    @Test
    void aLongPollWithNothingNewAnswers204AfterItsWait() {
        long t0 = System.nanoTime();
        TestHttp.Reply r = NODE.client().get("/api/events?channel=room:quiet&after=0&wait=1");
        assertThat(r.status()).isEqualTo(204);
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 5000L);
    }

    @Test
    void badChannelsCursorsWaitsAndMessagesAre4xxWithAJsonError() {
        TestHttp http = NODE.client();
        for (String q : List.of("", "channel=", "channel=lobby", "channel=room:", "channel=room:a%20b",
                "channel=room:" + "x".repeat(65), "channel=room:ok&after=-1", "channel=room:ok&after=abc",
                "channel=room:ok&after=1&wait=26", "channel=room:ok&after=1&wait=-1", "channel=room:ok&wait=x")) {
            TestHttp.Reply r = http.get("/api/events?" + q);
            assertThat(r.status()).as(q).isEqualTo(400);
            assertThat(r.json().get("error").asText()).as(q).isEqualTo("bad_request");
        }
        assertThat(http.get("/api/events/stream?channel=nope").status()).isEqualTo(400);
        assertThat(http.get("/api/events?channel=session").status()).as("no session, no session channel").isEqualTo(404);
        assertThat(http.post("/api/rooms/bad%20name/messages", "{\"text\":\"x\"}").status()).isEqualTo(400);
        assertThat(http.post("/api/rooms/ok/messages", "{\"text\":\"\"}").status()).isEqualTo(400);
        assertThat(http.post("/api/rooms/ok/messages", "{\"text\":3}").status()).isEqualTo(400);
        assertThat(http.post("/api/rooms/ok/messages", "{\"text\":\"x\",\"extra\":1}").status()).isEqualTo(400);
        assertThat(http.post("/api/rooms/ok/messages", "not json").status()).isEqualTo(400);
        TestHttp.Reply big = http.post("/api/rooms/ok/messages", "{\"text\":\"" + "x".repeat(1001) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.json().get("error").asText()).isEqualTo("payload_too_large");
        assertThat(http.get("/api/events?channel=room:ok&after=0&wait=0").status()).as("nothing published").isEqualTo(204);
    }

    @Test
    void aCursorThatFellOutOfTheBufferIs410AndTheBufferKeepsTheNewest1000() {
        TestHttp http = NODE.client();
        String first = post(http, "busy", "m0");
        for (int i = 1; i <= ChannelViews.CAPACITY + 10; i++) {
            post(http, "busy", "m" + i);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            TestHttp.Reply old = http.get("/api/events?channel=room:busy&after=" + first);
            assertThat(old.status()).isEqualTo(410);
            assertThat(old.json().get("error").asText()).isEqualTo("cursor_expired");
        });
        JsonNode all = http.get("/api/events?channel=room:busy&after=0").json();
        assertThat(all.get("events")).hasSize(ChannelViews.CAPACITY);
        assertThat(all.at("/events/999/data/text").asText()).isEqualTo("m" + (ChannelViews.CAPACITY + 10));
    }

    @Test
    void eventsBeyondTheBufferLeaveTheCacheInBatches() {
        TestHttp http = NODE.client();
        int published = ChannelViews.CAPACITY + 3 * EventLog.TRIM_BATCH + 5;
        for (int i = 1; i <= published; i++) {
            post(http, "trimmed", "m" + i);
        }
        Cache<String, String> events = NODE.node().cluster().cache().getCacheManager().getCache(SharedCaches.EVENTS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                events.keySet().stream().filter(k -> k.startsWith("e:") && k.contains("trimmed")).count())
                .as("entries of the channel in the cache").isBetween((long) ChannelViews.CAPACITY,
                        (long) ChannelViews.CAPACITY + EventLog.TRIM_BATCH - 1));
        JsonNode all = http.get("/api/events?channel=room:trimmed&after=0").json();
        assertThat(all.get("events")).hasSize(ChannelViews.CAPACITY);
        assertThat(all.at("/events/0/data/text").asText()).isEqualTo("m" + (published - ChannelViews.CAPACITY + 1));
    }

    @Test
    void everySessionChangeIsAnEventOnThatSessionsChannelAndWaitingDoesNotBlockTheSession() throws Exception {
        TestHttp tab1 = NODE.client();
        assertThat(tab1.get("/api/session").status()).isEqualTo(200);
        TestHttp tab2 = NODE.client();
        tab2.sessionId(tab1.sessionId());
        long cursor = tab1.get("/api/events?channel=session").json().get("cursor").asLong();
        try (SseClient stream = new SseClient(NODE.uri(), "session", tab1.sessionId())) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !stream.served().isEmpty());
            // tab2 waits on the session channel; tab1 keeps working on the same session meanwhile.
            int before = waiting();
            CompletableFuture<TestHttp.Reply> poll = CompletableFuture.supplyAsync(
                    () -> tab2.get("/api/events?channel=session&wait=20&after=" + cursor));
            Awaitility.await("the poll waiting").atMost(Duration.ofSeconds(10)).until(() -> waiting() > before);
            // Were the session locked while the poll waits (20 s), this would be refused after 3 s.
            assertThat(tab1.post("/api/session/counter", null).status()).as("the waiting poll holds no session lock").isEqualTo(200);
            assertThat(poll.get(10, TimeUnit.SECONDS).json().at("/events/0/type").asText()).isEqualTo("counter");

            assertThat(tab1.put("/api/session/attributes/colour", "\"green\"").status()).isEqualTo(204);
            assertThat(tab1.post("/api/cart/items", "{\"sku\":\"tea\",\"qty\":2}").status()).isEqualTo(201);
            assertThat(tab1.post("/api/login", "{\"user\":\"ann\"}").status()).isEqualTo(200);
            TestHttp.Reply afterLogin = tab1.post("/api/session/counter", null);
            assertThat(afterLogin.json().get("value").asLong()).as("after login (new id): " + afterLogin.body()).isEqualTo(2);
            assertThat(tab1.post("/api/logout", null).status()).isEqualTo(204);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(stream.events())
                    .extracting(SseClient.Received::type)
                    .containsExactly("counter", "attribute", "cart", "login", "counter", "logout"));
            List<Long> ids = stream.events().stream().map(SseClient.Received::id).toList();
            for (int i = 1; i < ids.size(); i++) {
                assertThat(ids.get(i)).isEqualTo(ids.get(i - 1) + 1);
            }
            assertThat(stream.events().get(4).data().at("/data/value").asLong()).isEqualTo(2);
        }
        assertThat(NODE.client().get("/api/events?channel=session").status())
                .as("another client (no cookie) has no session channel").isEqualTo(404);
    }

    @Test
    void anSseStreamReplaysFromLastEventIdAndCarriesIdsOnEveryEvent() throws Exception {
        TestHttp http = NODE.client();
        String a = post(http, "sse1", "a");
        for (String text : List.of("b", "c", "d")) { // replayed together: one write carries several events
            post(http, "sse1", text);
        }
        HttpRequest req = HttpRequest.newBuilder(NODE.uri().resolve("/api/events/stream?channel=room:sse1"))
                .header("Last-Event-ID", a).build();
        HttpResponse<java.util.stream.Stream<String>> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> lines = new ArrayList<>();
        try (var body = r.body()) {
            var it = body.iterator();
            while (lines.stream().noneMatch(l -> l.contains("\"text\":\"d\"")) && it.hasNext()) {
                lines.add(it.next());
            }
        }
        assertThat(lines).contains("retry: 1000", "event: hello", "event: message");
        long first = Long.parseLong(a);
        assertThat(lines).filteredOn(l -> l.startsWith("id: "))
                .containsExactly("id: " + (first + 1), "id: " + (first + 2), "id: " + (first + 3));
    }

    @Test
    @ResourceLock(BesideOtherTests.NODE_THREADS) // counts the JVM's node threads: no other node may run meanwhile
    void threeHundredWaitingLongPollsHoldNoRequestThreadsAndOtherRequestsStillGetAnswers() {
        int before = jettyThreads();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI poll = NODE.uri().resolve("/api/events?channel=room:crowd&after=0&wait=20");
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            polls.add(client.sendAsync(HttpRequest.newBuilder(poll).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> NODE.node() != null && waiting() >= 300);
        int during = jettyThreads();
        long inEventsCode = Thread.getAllStackTraces().entrySet().stream()
                .filter(t -> t.getKey().getName().startsWith("tandem-")).filter(t -> java.util.Arrays.stream(t.getValue())
                        .anyMatch(f -> f.getClassName().startsWith("dev.tandem.events."))).count();
        LOG.info("[events] 300 waiting long polls: Jetty threads {} before, {} while waiting (max 200); "
                + "threads in events code {}; JVM threads {}", before, during, inEventsCode,
                ManagementFactory.getThreadMXBean().getThreadCount());
        // A thread per poll would need 300 of Jetty's at most 200 threads, and park them in our code.
        assertThat(during).as("Jetty threads while 300 polls wait").isLessThan(100);
        assertThat(inEventsCode).as("threads parked in the events code").isZero();
        assertThat(NODE.client().get("/api/session").status()).isEqualTo(200);
        post(NODE.client(), "crowd", "wake up");
        for (CompletableFuture<HttpResponse<String>> p : polls) {
            assertThat(p.join().statusCode()).isEqualTo(200);
        }
    }

    private static int waiting() {
        return (int) NODE.client().metric("tandem_events_waiting").orElse(0);
    }

    private static int jettyThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("tandem-http")).count();
    }
}
