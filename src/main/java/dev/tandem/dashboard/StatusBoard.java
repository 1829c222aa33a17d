package dev.tandem.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.cluster.SessionCluster;
import dev.tandem.cluster.SharedCaches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.infinispan.Cache;

/**
 * The lab dashboard's shared board: a small replicated cache ({@value SharedCaches#BOARD}, see
 * tandem-infinispan.xml) in which every node keeps its own status record and the timeline's events,
 * as JSON strings, so any node can answer for all of them. Best effort by design: a write that is
 * lost is replaced a second later, and nothing a client does depends on it.
 */
public final class StatusBoard {
    /** A killed node's last record stays this long, so the page can say when it was last heard of. */
    static final Duration STATUS_LIFESPAN = Duration.ofMinutes(10);
    /** How far back the timeline reaches. */
    static final Duration EVENT_LIFESPAN = Duration.ofMinutes(30);
    /** The newest this many events are shown; a rolling restart of three nodes makes about twenty. */
    static final int MAX_EVENTS = 200;

    private static final String NODE_KEY = "node/";
    private static final String EVENT_KEY = "event/";

    private final BoardStore cache;
    private final ObjectMapper mapper;
    private final AtomicLong sequence = new AtomicLong();

    StatusBoard(BoardStore cache, ObjectMapper mapper) {
        this.cache = cache;
        this.mapper = mapper;
    }

    /** The board in the node's own cache manager (starts the cache on this node). */
    public static StatusBoard of(SessionCluster cluster, ObjectMapper mapper) {
        Cache<String, String> cache = cluster.cache().getCacheManager().getCache(SharedCaches.BOARD);
        return new StatusBoard(new InfinispanBoardStore(cache), mapper);
    }

    /**
     * A WAR node's board: the server's cache, handed to the webapp as JDK functions by the
     * jetty-base's webapps/ROOT.xml (context attribute {@value WarStatusBoard#ATTRIBUTE}).
     */
    public static StatusBoard bridged(Object attribute, ObjectMapper mapper) {
        return new StatusBoard(new BridgedBoardStore(attribute), mapper);
    }

    /** No board (a node wired without one, as in some tests). */
    public static StatusBoard none() {
        return new StatusBoard(null, null);
    }

    public boolean available() {
        return cache != null;
    }

    /** Tells the listener about the cluster's view changes (never, without a board); returns what stops it. */
    Runnable listen(Consumer<BoardStore.ViewChange> listener) {
        return cache == null ? () -> { } : cache.onViewChange(listener);
    }

    void publish(NodeStatus status) {
        put(NODE_KEY + status.name(), status, STATUS_LIFESPAN);
    }

    /** An event only this node tells (its own start, readiness, stop). */
    void record(LabEvent event) {
        putEvent(EVENT_KEY + event.seenBy() + "/" + event.at() + "/" + sequence.incrementAndGet(), event);
    }

    /**
     * An event every member sees (a node left or joined view N): each records it under the same
     * key, so it shows once, and whoever survives has told it.
     */
    void recordShared(String id, LabEvent event) {
        putEvent(EVENT_KEY + "shared/" + id, event);
    }

    /**
     * Events must not get lost the way a status record may: an asynchronous write goes to the key's
     * primary owner and vanishes when that is the node that just died (exactly when "n2 left" is
     * written). Forced synchronous, Infinispan retries it on the new topology (remote-timeout 3 s).
     */
    private void putEvent(String key, LabEvent event) {
        if (cache == null) {
            return;
        }
        cache.put(key, json(event), EVENT_LIFESPAN, true);
    }

    /** The last record a node published, if the board still has it. */
    NodeStatus last(String node) {
        return cache == null ? null : read(cache.get(NODE_KEY + node), NodeStatus.class);
    }

    /** What the board holds now, as this node's copy has it: nodes by name, the newest events. */
    public Snapshot snapshot() {
        List<NodeStatus> nodes = new ArrayList<>();
        List<LabEvent> events = new ArrayList<>();
        if (cache != null) {
            cache.forEachLocal((key, value) -> {
                if (key.startsWith(NODE_KEY)) {
                    add(nodes, read(value, NodeStatus.class));
                } else if (key.startsWith(EVENT_KEY)) {
                    add(events, read(value, LabEvent.class));
                }
            });
        }
        nodes.sort(Comparator.comparing(NodeStatus::name, StatusBoard::byNodeName));
        events.sort(Comparator.comparingLong(LabEvent::at).reversed());
        return new Snapshot(List.copyOf(nodes), List.copyOf(events.subList(0, Math.min(MAX_EVENTS, events.size()))));
    }

    /** The board's content: node records and the newest events first. */
    public record Snapshot(List<NodeStatus> nodes, List<LabEvent> events) {}

    /** n2 before n10. */
    static int byNodeName(String a, String b) {
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    private void put(String key, Object value, Duration lifespan) {
        if (cache == null) {
            return;
        }
        cache.put(key, json(value), lifespan, false);
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value, e);
        }
    }

    private <T> T read(String json, Class<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            return null; // written by another version of Tandem: not shown
        }
    }

    private static <T> void add(List<T> list, T item) {
        if (item != null) {
            list.add(item);
        }
    }
}
