package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.errors.ApiException;
import dev.tandem.cluster.SharedCaches;
import dev.tandem.testing.BesideOtherTests;
import dev.tandem.testing.InJvmCluster;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import dev.tandem.web.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.awaitility.Awaitility;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event written while a peer stops answering. The write times out on that peer and the publish
 * is refused (503, "may or may not have been published"), yet the write can stay on some members
 * and not on others, as a session lock's does (dev.tandem.cluster.CutOffLockWriteTest). Once that
 * peer is out of the view, every survivor must hold the same event under each id and serve the
 * same history: a client replaying a room must not get one history from a and another from b.
 *
 * <p>Real nodes in this JVM; the peer is cut off in its own JGroups stack. The events are published
 * through an {@link EventLog} on b's own replica of the event cache, the one b's room posts use:
 * a room post through HTTP would first need its session's lock, which the cut refuses before the
 * event is written (in the cluster, the cut falls between the two only now and then).
 *
 * <p>Mostly waiting (the write's remote timeout, then the cut peer's failure detection).
 */
@BesideOtherTests
class CutOffEventWriteTest {
    private static final Logger LOG = LoggerFactory.getLogger(CutOffEventWriteTest.class);
    private final InJvmCluster cluster = new InJvmCluster(3);
    private final ObjectMapper mapper = Json.newMapper();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    /** The nodes first: until b has left, its event log still hands topology notices to these threads. */
    @AfterEach
    void stopAll() {
        try {
            cluster.close();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void anEventWriteThatTimedOutOnACutOffPeerEndsTheSameOnEverySurvivorOnceThatPeerIsOutOfTheView() {
        // Names no other test uses (BesideOtherTests).
        List<RunningNode> nodes = cluster.startAll("ea", "eb", "ec");
        RunningNode a = nodes.get(0);
        RunningNode b = nodes.get(1);
        RunningNode c = nodes.get(2);
        EventLog onB = new EventLog(new InfinispanEventStore(events(b)), mapper, b.name(), threads,
                Duration.ofMinutes(5), Duration.ofMinutes(5), new EventBudget(1 << 20, 1 << 24));
        onB.start();
        // Two rooms whose next event each node decides (its key's primary owner); c stops answering.
        List<String> rooms = new ArrayList<>();
        for (RunningNode primary : nodes) {
            rooms.addAll(roomsWhoseNextEventIsDecidedBy(onB, primary, 2));
        }

        InJvmCluster.cutOff(c);
        List<CompletableFuture<Throwable>> publishes = rooms.stream()
                .map(room -> CompletableFuture.supplyAsync(() -> catchThrowable(() -> publish(onB, room)), threads)).toList();
        for (CompletableFuture<Throwable> publish : publishes) {
            assertThat(publish.join()).as("a publish while c cannot answer").isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.status()).isEqualTo(503));
        }
        for (String room : rooms) {
            LOG.info("room {} right after the refused publish: a holds {}, b holds {}", room, stored(a, room).keySet(),
                    stored(b, room).keySet());
        }

        InJvmCluster.awaitMembers(2, a, b);
        Awaitility.await("the same events on a and b").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    for (String room : rooms) {
                        assertThat(stored(b, room)).as("room %s's entries on b", room).isEqualTo(stored(a, room));
                        assertThat(served(b, room)).as("room %s's history from b", room).isEqualTo(served(a, room));
                    }
                });
        for (String room : rooms) {
            LOG.info("room {} once c is out: a and b hold {}", room, stored(a, room).keySet());
            TestHttp.Reply post = a.client().post("/api/rooms/" + room + "/messages", "{\"text\":\"after\"}");
            assertThat(post.status()).as("a post to %s once c is out: %s", room, post.body()).isEqualTo(201);
            Awaitility.await("the post on both").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(served(b, room)).as("room %s from b", room).isEqualTo(served(a, room)));
        }
    }

    /** {@code count} rooms with one event each, whose next event's entry {@code primary} decides. */
    private List<String> roomsWhoseNextEventIsDecidedBy(EventLog log, RunningNode primary, int count) {
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < 100 && rooms.size() < count; i++) {
            String room = "of-" + primary.name() + "-" + i;
            long id = publish(log, room).id();
            if (InJvmCluster.decides(primary, SharedCaches.EVENTS, EventKeys.eventKey(Channel.room(room).key(), id + 1))) {
                rooms.add(room);
            }
        }
        assertThat(rooms).as("rooms whose next event %s decides", primary.name()).hasSize(count);
        return rooms;
    }

    private Event publish(EventLog log, String room) {
        return log.publish(Channel.room(room), "message", mapper.createObjectNode().put("text", "hello"));
    }

    /** The room's history as the node serves it: each event's id and publish uid, oldest first. */
    private static List<String> served(RunningNode node, String room) {
        TestHttp.Reply reply = node.client().get("/api/events?channel=room:" + room + "&after=0&wait=0");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<String> events = new ArrayList<>();
        for (JsonNode e : reply.json().get("events")) {
            events.add(e.get("id").asLong() + "/" + e.get("uid").asText());
        }
        return events;
    }

    /** The room's event entries in the node's own replica, by key. */
    private static Map<String, String> stored(RunningNode node, String room) {
        String channel = Channel.room(room).key();
        Map<String, String> out = new TreeMap<>();
        events(node).getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD).forEach((k, v) -> {
            if (EventKeys.isEventKey(k) && EventKeys.channelKeyOf(k).equals(channel)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Cache<String, String> events(RunningNode node) {
        return InJvmCluster.manager(node).getCache(SharedCaches.EVENTS);
    }
}
