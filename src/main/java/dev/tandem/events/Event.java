package dev.tandem.events;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One event as clients see it and as it is stored (one JSON string per cache entry).
 *
 * @param id      grows per channel, cluster-wide; the cursor for long polls and SSE's {@code id:}
 * @param channel the channel as clients name it ({@code session} or {@code room:<name>})
 * @param type    what happened, e.g. {@code message}, {@code counter}, {@code cart}, {@code login}
 * @param node    the node that published it (the page shows who served each event)
 * @param time    publish time, epoch milliseconds on the publishing node
 * @param data    the payload
 * @param uid     unique per publish: lets a publisher whose write was retried by the cluster
 *                recognise its own event instead of publishing it twice
 */
public record Event(long id, String channel, String type, String node, long time, JsonNode data, String uid) {
    /**
     * One copy of each channel, type and node name for all the events that carry it: a node keeps
     * every channel's events, each read from its JSON with strings of its own (about 150 B an event).
     */
    public Event {
        channel = channel == null ? null : channel.intern();
        type = type == null ? null : type.intern();
        node = node == null ? null : node.intern();
    }
}
