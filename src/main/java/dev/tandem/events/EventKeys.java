package dev.tandem.events;

import java.util.List;

/** How the event log names its cache entries: {@code e:<channel>:<id>} per event, {@code h:<channel>} for a channel's first id. */
final class EventKeys {
    private EventKeys() {}

    static String eventKey(String channelKey, long id) {
        return "e:" + channelKey + ":" + id;
    }

    static List<String> eventKeys(String channelKey, List<Long> ids) {
        return ids.stream().map(id -> eventKey(channelKey, id)).toList();
    }

    static String anchorKey(String channelKey) {
        return "h:" + channelKey;
    }

    static boolean isEventKey(String key) {
        return key.startsWith("e:");
    }

    static long idOf(String eventKey) {
        return Long.parseLong(eventKey.substring(eventKey.lastIndexOf(':') + 1));
    }

    static String channelKeyOf(String eventKey) {
        return eventKey.substring(2, eventKey.lastIndexOf(':'));
    }
}
