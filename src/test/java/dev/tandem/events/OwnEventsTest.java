package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.web.Json;
import java.time.Duration;
import java.util.List;
import org.infinispan.Cache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node's own events are held as published, not parsed back from the cache's notice; everyone else's are parsed. */
class OwnEventsTest {
    private final ObjectMapper mapper = Json.newMapper();
    private final LocalEventLog node = new LocalEventLog(mapper, new EventBudget(1 << 20, 1 << 24));
    private final Cache<String, String> cache = node.cache;
    private final EventLog log = node.log;

    @AfterEach
    void stop() {
        node.close();
    }

    private List<Event> held(String key) throws ChannelLog.Expired {
        return log.log(key).after(0, 100);
    }

    @Test
    void aPublishedEventIsHeldAsPublishedWithDataOfItsOwnThatTheCallerCannotChange() throws Exception {
        ObjectNode data = mapper.createObjectNode().put("value", 5L).put("text", "hi");
        Event published = log.publish(Channel.room("own"), "message", data);
        data.put("text", "changed after");

        assertThat(held("r:own")).singleElement().isSameAs(published);
        assertThat(published.data().get("text").asText()).isEqualTo("hi");
        String stored = cache.get("e:r:own:" + published.id());
        assertThat(mapper.writeValueAsString(published))
                .as("what this node's readers get is what the other members parse from the cache")
                .isEqualTo(mapper.writeValueAsString(new EventJson(mapper).read(stored)));
    }

    @Test
    void anEventAnotherNodeWroteIsParsedFromItsJson() throws Exception {
        Event first = log.publish(Channel.room("theirs"), "message", mapper.createObjectNode().put("n", 1));
        Event theirs = new Event(first.id() + 1, "room:theirs", "message", "n2", 7, mapper.createObjectNode().put("n", 2), "u2");
        cache.put("e:r:theirs:" + theirs.id(), new EventJson(mapper).write(theirs));

        await().atMost(Duration.ofSeconds(5)).until(() -> held("r:theirs").size() == 2);
        Event read = held("r:theirs").get(1);
        assertThat(read).isNotSameAs(theirs).isEqualTo(theirs);
    }
}
