package dev.tandem.api.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.stream.Collectors;

/** Malformed JSON and wrong types: a 400 that names the field, without echoing parser internals. */
@Provider
public final class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {
    @Context
    private HttpServletRequest request;

    @Override
    public Response toResponse(JsonProcessingException e) {
        return ErrorResponses.clientErrorInCauses(request, e)
                .orElseGet(() -> ErrorResponses.of(request, 400, "bad_json", describe(e)));
    }

    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
                return "field '" + field + "' has the wrong type";
            }
            return "field '" + field + "' is invalid";
        }
        if (e instanceof MismatchedInputException) {
            return "the body does not have the expected JSON shape";
        }
        return "the body is not valid JSON";
    }
}
