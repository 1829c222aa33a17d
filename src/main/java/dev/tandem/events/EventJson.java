package dev.tandem.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** An event as it is stored in the cache: its JSON. */
final class EventJson {
    private final ObjectMapper mapper;

    EventJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    String write(Event e) {
        try {
            return mapper.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write an event as JSON", ex);
        }
    }

    Event read(String json) {
        try {
            return mapper.readValue(json, Event.class);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("stored event is not JSON", ex);
        }
    }
}
