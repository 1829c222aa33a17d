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

    /**
     * Our one sentence for a status, for errors raised below the API (Jetty's parser, body reading):
     * theirs can quote what the client sent, and an error must never reflect the request.
     */
    public static String sentenceFor(int status) {
        return switch (status) {
            case 400 -> "the request is malformed (request line, URI, headers, cookies or body)";
            case 404 -> "no such resource";
            case 405 -> "this method is not allowed here";
            case 408 -> "the request took too long to arrive";
            case 413 -> "the request body is too large";
            case 414 -> "the URI is too long";
            case 415 -> "send the body as application/json";
            case 417 -> "this server cannot meet the request's Expect header";
            case 431 -> "the request headers are too large (at most 8 KiB)";
            case 503 -> "the node is not serving right now; retry shortly";
            case 505 -> "this server speaks HTTP/1.1 and HTTP/1.0";
            default -> status >= 500 ? "the server could not handle the request" : "the request was refused";
        };
    }
}
