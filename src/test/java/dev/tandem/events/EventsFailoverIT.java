package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.lab.LocalLab;
import dev.tandem.testing.Chromium;
import dev.tandem.testing.Requirements;
import dev.tandem.testing.TestHttp;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local lab (3 node processes, a real HAProxy) with SSE listeners on every node while one
 * node is killed with SIGKILL mid-stream: every listener ends with the whole ordered sequence.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventsFailoverIT {
    private static LocalLab lab;

    @BeforeAll
    static void startLab() throws Exception {
        Requirements.command("haproxy");
        lab = new LocalLab("tev", "127.0.9", 3);
        lab.up();
    }

    @AfterAll
    static void stopLab() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    /** Starts any node a test stopped and waits for the cluster of three, every node UP in HAProxy. */
    @AfterEach
    void heal() {
        lab.heal();
    }

    @Test
    @Order(1)
    void killNineOfANodeMidStreamLeavesEveryListenerWithTheWholeSequenceNoGapNoDuplicate() throws Exception {
        String room = "room:failover";
        List<SseClient> listeners = new ArrayList<>();
        try {
            // One listener straight at each node and three through the VIP (leastconn spreads them);
            // all reconnect through the VIP, as a browser behind the balancer would.
            for (String n : List.of("n1", "n2", "n3")) {
                listeners.add(new SseClient(lab.node(n), room, null).reconnectTo(lab.vip()));
            }
            for (int i = 0; i < 3; i++) {
                listeners.add(new SseClient(lab.vip(), room, null));
            }
            Awaitility.await("every listener connected").atMost(Duration.ofSeconds(20))
                    .until(() -> listeners.stream().noneMatch(l -> l.served().isEmpty()));
            Set<String> servingNodes = listeners.stream().map(l -> l.served().get(0)).collect(Collectors.toSet());
            assertThat(servingNodes).as("listeners on every node").containsExactlyInAnyOrder("n1", "n2", "n3");

            int total = 300;
            Map<String, Integer> outcome = new ConcurrentHashMap<>();
            List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
                TestHttp http = new TestHttp(lab.vip()).timeout(Duration.ofSeconds(10));
                for (int i = 0; i < total; i++) {
                    String text = "m" + i;
                    try {
                        TestHttp.Reply r = http.post("/api/rooms/failover/messages", "{\"text\":\"" + text + "\"}");
                        outcome.merge(Integer.toString(r.status()), 1, Integer::sum);
                        if (r.status() == 201) {
                            acknowledged.add(text);
                        }
                    } catch (RuntimeException e) {
                        outcome.merge("error", 1, Integer::sum);
                    }
                    try {
                        TimeUnit.MILLISECONDS.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Awaitility.await("publishing under way").atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 100);
            long killedAt = System.nanoTime();
            lab.lab(Duration.ofSeconds(60), "kill", "n2");
            publisher.get(3, TimeUnit.MINUTES);

            // The cluster's sequence, read back through the VIP from the start of the buffer.
            JsonNode all = new TestHttp(lab.vip()).get("/api/events?channel=" + room + "&after=0&wait=0").json();
            Map<Long, String> sequence = new LinkedHashMap<>();
            all.get("events").forEach(e -> sequence.put(e.get("id").asLong(), e.at("/data/text").asText()));
            assertThat(sequence.values()).as("every acknowledged message is in the sequence").containsAll(acknowledged);
            List<Long> ids = new ArrayList<>(sequence.keySet());
            for (int i = 1; i < ids.size(); i++) {
                assertThat(ids.get(i)).as("no gap after " + ids.get(i - 1)).isEqualTo(ids.get(i - 1) + 1);
            }
            assertThat(new TreeSet<>(sequence.values())).as("no message published twice").hasSize(sequence.size());

            long last = ids.get(ids.size() - 1);
            for (SseClient l : listeners) {
                Awaitility.await("listener first served by " + l.served().get(0) + " has everything")
                        .atMost(Duration.ofSeconds(30)).until(() -> !l.events().isEmpty()
                                && l.events().get(l.events().size() - 1).id() >= last);
                Map<Long, String> seen = new LinkedHashMap<>();
                l.events().forEach(e -> seen.putIfAbsent(e.id(), e.data().at("/data/text").asText()));
                assertThat(new ArrayList<>(seen.keySet())).as("ids in order").isSorted();
                assertThat(seen).as("listener first served by " + l.served().get(0)).isEqualTo(sequence);
            }
            long moved = listeners.stream().filter(l -> l.served().size() > 1).count();
            System.out.printf("[events-failover] %d events (%s), %d listeners all complete; %d reconnected after "
                    + "kill -9 of n2 (%d ms ago); duplicates before dedup: %d%n", sequence.size(), outcome, listeners.size(),
                    moved, (System.nanoTime() - killedAt) / 1_000_000,
                    listeners.stream().mapToLong(l -> l.events().size() - l.events().stream().map(SseClient.Received::id).distinct().count()).sum());
            assertThat(moved).as("the listeners n2 served moved to another node").isGreaterThanOrEqualTo(1);
        } finally {
            listeners.forEach(SseClient::close);
        }
    }

    @Test
    @Order(2)
    void drainingANodeMidStreamMovesItsListenersElsewhereWithNothingMissed() throws Exception {
        String room = "room:drain";
        List<SseClient> listeners = new ArrayList<>();
        try {
            for (String n : List.of("n1", "n2", "n3")) {
                listeners.add(new SseClient(lab.node(n), room, null).reconnectTo(lab.vip()));
            }
            Awaitility.await("every listener connected").atMost(Duration.ofSeconds(20))
                    .until(() -> listeners.stream().noneMatch(l -> l.served().isEmpty()));
            CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
                TestHttp http = new TestHttp(lab.vip());
                for (int i = 0; i < 150; i++) {
                    assertThat(http.post("/api/rooms/drain/messages", "{\"text\":\"d" + i + "\"}").status()).isEqualTo(201);
                    try {
                        TimeUnit.MILLISECONDS.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> listeners.get(0).events().size() >= 30);
            lab.lab(Duration.ofMinutes(2), "drain", "n1");
            publisher.get(3, TimeUnit.MINUTES);
            for (SseClient l : listeners) {
                Awaitility.await("listener on " + l.served().get(0)).atMost(Duration.ofSeconds(30))
                        .until(() -> l.events().size() >= 150);
                List<Long> ids = l.events().stream().map(SseClient.Received::id).distinct().toList();
                assertThat(ids).hasSize(150);
                for (int i = 1; i < ids.size(); i++) {
                    assertThat(ids.get(i)).isEqualTo(ids.get(i - 1) + 1);
                }
            }
            SseClient onN1 = listeners.get(0);
            assertThat(onN1.notices()).as("n1's listener was told to reconnect").contains("reconnect");
            assertThat(onN1.served()).as("then served elsewhere").hasSizeGreaterThan(1).doesNotHaveDuplicates();
            System.out.printf("[events-drain] n1 drained mid-stream: its listener moved %s, 150/150 events everywhere%n",
                    onN1.served());
        } finally {
            listeners.forEach(SseClient::close);
        }
    }

    @Test
    @Order(3)
    void twoBrowsersSeeEachOthersMessagesAndOneKeepsGoingWhenTheNodeServingItIsKilled() throws Exception {
        Requirements.command("chromium");
        String count = "document.querySelectorAll('#room li').length";
        String roomNode = "document.getElementById('room-node').textContent";
        try (Chromium a = Chromium.start(Files.createDirectories(lab.dir().resolve("ba")), 1200, 800);
             Chromium b = Chromium.start(Files.createDirectories(lab.dir().resolve("bb")), 1200, 800)) {
            a.open(lab.vip().resolve("/?room=web").toString());
            b.open(lab.vip().resolve("/?room=web").toString());
            for (Chromium browser : List.of(a, b)) {
                Awaitility.await("page streams open").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                        browser.eval("document.getElementById('room-state').textContent").asText().equals("open")
                                && !browser.eval(roomNode).asText().equals("-"));
            }
            String servedA = a.eval(roomNode).asText();
            String servedB = b.eval(roomNode).asText();
            for (int i = 0; i < 5; i++) {
                assertThat(post(a, "a" + i)).isEqualTo(201);
                assertThat(post(b, "b" + i)).isEqualTo(201);
            }
            for (Chromium browser : List.of(a, b)) {
                Awaitility.await("10 messages shown").atMost(Duration.ofSeconds(15)).until(() -> browser.eval(count).asInt() == 10);
            }
            lab.lab(Duration.ofSeconds(60), "kill", servedA);
            for (int i = 5; i < 10; i++) {
                assertThat(post(b, "b" + i)).isEqualTo(201);
            }
            Awaitility.await("the page whose node died shows every message").atMost(Duration.ofSeconds(30))
                    .until(() -> a.eval(count).asInt() == 15);
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> b.eval(count).asInt() == 15);
            String texts = "[...document.querySelectorAll('#room li')].map(li => li.firstChild.textContent).join('|')";
            assertThat(a.eval(texts).asText()).isEqualTo(b.eval(texts).asText());
            String nowA = a.eval(roomNode).asText();
            System.out.printf("[events-page] browser a streamed from %s, b from %s; killed %s; a now on %s; 15/15 shown in both%n",
                    servedA, servedB, servedA, nowA);
            assertThat(nowA).isNotEqualTo(servedA);
        }
    }

    /** Posts a room message from inside the page (its own cookie, through the VIP); the status. */
    private static int post(Chromium browser, String text) {
        return browser.eval("fetch('/api/rooms/web/messages', {method: 'POST', headers: {'Content-Type': "
                + "'application/json'}, body: JSON.stringify({text: '" + text + "'})}).then(r => r.status)").asInt();
    }
}
