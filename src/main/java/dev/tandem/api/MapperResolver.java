package dev.tandem.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/** Hands Jersey's Jackson provider our strict mapper. */
@Provider
final class MapperResolver implements ContextResolver<ObjectMapper> {
    private final ObjectMapper mapper;

    MapperResolver(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return mapper;
    }
}
