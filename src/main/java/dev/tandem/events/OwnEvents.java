package dev.tandem.events;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The events this node is storing right now, by their JSON. The cache notifies every member of a
 * new event, this node included, and a member reads the event back from its JSON; this node
 * already holds it, so its own notice takes it from here instead of parsing it again (C3a's profile:
 * 2 % of a counter write's CPU). An event is here only while its write is under way: a notice that
 * comes later (a write completed after a timeout, {@link EventClaims}) is parsed like any other.
 * <p>
 * The event handed back is the publisher's own, so its data must be a copy of its own
 * ({@link EventLog#publish}): nothing may change it after the write. Its JSON nodes are the
 * publisher's, where the other members' are parsed: a number may be a {@code LongNode} here and
 * an {@code IntNode} there. Both write the same JSON, which is all a channel's readers get.
 */
final class OwnEvents {
    private final EventJson json;
    private final Map<String, Event> storing = new ConcurrentHashMap<>();

    OwnEvents(EventJson json) {
        this.json = json;
    }

    /** The JSON to store for {@code event}; its notice finds the event itself until {@link #stored}. */
    String storing(Event event) {
        String value = json.write(event);
        storing.put(value, event);
        return value;
    }

    /** The write of {@code value} returned, stored or not. */
    void stored(String value) {
        storing.remove(value);
    }

    /** The event whose JSON this is: this node's own while it stores it, else parsed. */
    Event read(String value) {
        Event own = storing.get(value);
        return own != null ? own : json.read(value);
    }
}
