package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.web.Json;
import java.time.Duration;
import java.util.List;
import org.infinispan.Cache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event log on a real (local) Infinispan cache under a small budget: what it holds stays bounded. */
class EventBudgetTest {
    private static final long CHANNEL = 64 * 1024;
    private static final long NODE = 256 * 1024;
    private final ObjectMapper mapper = Json.newMapper();
    private LocalEventLog node;
    private Cache<String, String> cache;
    private EventLog log;

    @BeforeEach
    void start() {
        node = new LocalEventLog(mapper, new EventBudget(CHANNEL, NODE));
        cache = node.cache;
        log = node.log;
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private JsonNode large() {
        return mapper.createObjectNode().put("text", "x".repeat(4000)); // about 9 KB of weight each
    }

    private long eventsIn(String room) {
        return cache.keySet().stream().filter(k -> k.startsWith("e:r:" + room + ":")).count();
    }

    @Test
    void aChannelWrittenWithoutPauseKeepsItsNewestEventsWithinItsOwnBudget() {
        Event last = null;
        for (int i = 0; i < 200; i++) {
            last = log.publish(Channel.room("busy"), "message", large());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(log.log("r:busy").weight()).isLessThanOrEqualTo(CHANNEL));
        assertThat(eventsIn("busy")).as("about seven events of 9 KB fit in 64 KiB").isBetween(5L, 8L);
        assertThat(cache.get("e:r:busy:" + last.id())).as("the newest stays").isNotNull();
    }

    @Test
    void overTheNodesBudgetTheChannelsIdleLongestLoseTheirEventsAndStartAgainAboveTheirOldIds() throws Exception {
        long[] firstIds = new long[8];
        for (int c = 0; c < 8; c++) {
            for (int i = 0; i < 7; i++) {
                Event e = log.publish(Channel.room("c" + c), "message", large());
                if (i == 0) {
                    firstIds[c] = e.id();
                }
            }
            Thread.sleep(2); // each channel idle a little longer than the next
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.weight()).isLessThanOrEqualTo(NODE));
        assertThat(eventsIn("c0")).as("the idlest channel is dropped, its anchor too").isZero();
        assertThat(cache.get("h:r:c0")).isNull();
        assertThat(eventsIn("c7")).as("the one written last keeps its events").isEqualTo(7);
        Event again = log.publish(Channel.room("c0"), "message", large());
        assertThat(again.id()).as("a dropped channel's ids keep growing").isGreaterThan(firstIds[0] + 6);
        for (String room : List.of("c0", "c7")) {
            assertThat(log.log("r:" + room).weight()).isPositive();
        }
    }
}
