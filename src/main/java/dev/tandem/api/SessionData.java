package dev.tandem.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.errors.ApiException;
import jakarta.servlet.http.HttpSession;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How the API keeps its data in the HTTP session. Only JDK types are stored (strings, longs,
 * maps), so any node and any build can read them back and the serial filter stays narrow.
 */
public final class SessionData {
    /** Who is logged in (the real-time API's rooms read it too). */
    public static final String USER = "tandem.user";
    static final String COUNTER = "tandem.counter";
    static final String CART = "tandem.cart";
    private static final String ATTRIBUTE_PREFIX = "attr.";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    static final int MAX_ATTRIBUTES = 64;
    static final int MAX_VALUE_BYTES = 8 * 1024;

    private final ObjectMapper mapper;

    SessionData(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("attribute names are 1-64 of [A-Za-z0-9_.-]");
        }
        return name;
    }

    /** The user's attributes (those set through /api/session/attributes), parsed back to JSON. */
    Map<String, JsonNode> attributes(HttpSession session) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (String key : Collections.list(session.getAttributeNames())) {
            if (key.startsWith(ATTRIBUTE_PREFIX)) {
                out.put(key.substring(ATTRIBUTE_PREFIX.length()), parse((String) session.getAttribute(key)));
            }
        }
        return out;
    }

    JsonNode attribute(HttpSession session, String name) {
        Object raw = session == null ? null : session.getAttribute(ATTRIBUTE_PREFIX + name);
        return raw instanceof String s ? parse(s) : null;
    }

    /** Checks the value first and only then asks for the session, so a refused value creates none. */
    void putAttribute(java.util.function.Supplier<HttpSession> sessions, String name, JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            throw ApiException.badRequest("send a JSON value as the body (to remove, use DELETE)");
        }
        String text;
        try {
            text = mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the value cannot be stored as JSON");
        }
        if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw new ApiException(413, "payload_too_large", "an attribute value may be at most " + MAX_VALUE_BYTES + " bytes");
        }
        HttpSession session = sessions.get();
        String key = ATTRIBUTE_PREFIX + name;
        if (session.getAttribute(key) == null && attributes(session).size() >= MAX_ATTRIBUTES) {
            // 413 like an oversized value: the session, not the request, would grow past its cap.
            throw new ApiException(413, "too_many_attributes", "a session holds at most " + MAX_ATTRIBUTES + " attributes");
        }
        session.setAttribute(key, text);
    }

    void removeAttribute(HttpSession session, String name) {
        if (session != null) {
            session.removeAttribute(ATTRIBUTE_PREFIX + name);
        }
    }

    /** Ends the session (on every node: the store entry goes); without a session there is nothing to do. */
    static void invalidate(jakarta.servlet.http.HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
    }

    static long counter(HttpSession session) {
        Object v = session == null ? null : session.getAttribute(COUNTER);
        return v instanceof Long l ? l : 0L;
    }

    /** The cart as sku → quantity, in the order items were first added. */
    @SuppressWarnings("unchecked")
    static Map<String, Integer> cart(HttpSession session) {
        Object v = session == null ? null : session.getAttribute(CART);
        return v instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Integer>) m) : new LinkedHashMap<>();
    }

    static void putCart(HttpSession session, Map<String, Integer> cart) {
        // A fresh map each time, so the stored value is never shared with request code.
        session.setAttribute(CART, new LinkedHashMap<>(cart));
    }

    private JsonNode parse(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored attribute is not JSON", e);
        }
    }
}
