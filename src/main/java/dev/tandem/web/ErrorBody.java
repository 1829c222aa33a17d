package dev.tandem.web;

import java.util.Map;

/** The JSON body of every error: a stable code, a human sentence, and the id to find it in the logs. */
public record ErrorBody(String error, String message, String requestId) {

    private static final Map<Integer, String> CODES = Map.ofEntries(
            Map.entry(400, "bad_request"), Map.entry(401, "unauthorized"), Map.entry(403, "forbidden"),
            Map.entry(404, "not_found"), Map.entry(405, "method_not_allowed"), Map.entry(406, "not_acceptable"),
            Map.entry(408, "request_timeout"), Map.entry(409, "conflict"), Map.entry(411, "length_required"),
            Map.entry(413, "payload_too_large"), Map.entry(414, "uri_too_long"),
            Map.entry(415, "unsupported_media_type"), Map.entry(429, "too_many_requests"),
            Map.entry(431, "headers_too_large"), Map.entry(500, "internal_error"), Map.entry(503, "unavailable"));

    /** The error code for an HTTP status, e.g. 404 → not_found. */
    public static String codeFor(int status) {
        return CODES.getOrDefault(status, status >= 500 ? "server_error" : "client_error");
    }
}
