package dev.tandem.api;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The base and request URIs Jersey needs for a request, built with one parse of the request's own
 * URL instead of Jersey's three (issue 16: a {@code UriBuilder} and three {@code URI} parses were
 * ~3 µs of a {@code GET /api/node}'s CPU, async-profiler at C1's plateau).
 *
 * <p>Only for requests whose URL needs no encoding: a host name or address, a port, and a path and
 * query of the characters Jersey leaves as they are there (or percent-escaped). For those,
 * Jersey's builder leaves every character as it is, so the URIs are the ones it would build
 * ({@code RequestUrisTest} checks this against Jersey's own code). Anything else gets
 * {@code null}, and Jersey builds the URIs its own way.
 */
final class RequestUris {
    /** Characters RFC 3986 allows unescaped in a path: unreserved, sub-delims, ':', '@' and '/'. */
    private static final boolean[] PATH = allowed("-._~!$&'()*+,;=:@/");
    /** In a query, fewer: Jersey's builder escapes the other sub-delimiters, ':', '@', '/' and '?' there. */
    private static final boolean[] QUERY = allowed("-._~&+=");
    /** In the authority, as Jetty writes it: a host name or IPv4 address, an IPv6 one in brackets, a port. */
    private static final boolean[] AUTHORITY = allowed("-.:[]");

    /** The base URI of the last request (the scheme, host and port are the same for most), with its key. */
    private volatile Base lastBase;

    private record Base(String key, URI uri) {}

    /** Jersey's URIs for one request, or null when only Jersey's own building should be trusted. */
    record Pair(URI base, URI request) {}

    /**
     * @param requestUrl the servlet's {@code getRequestURL()}: scheme, authority and encoded path
     * @param requestUri the servlet's {@code getRequestURI()}: the encoded path, which ends requestUrl
     * @param query      the servlet's {@code getQueryString()}, encoded, or null
     * @param basePath   the context path, the servlet path and '/', decoded (as Jersey takes it)
     */
    Pair of(String requestUrl, String requestUri, String query, String basePath) {
        int pathStart = requestUrl.length() - requestUri.length();
        int authorityStart = requestUrl.indexOf("://") + 3;
        if (pathStart < authorityStart || authorityStart < 3 || !requestUrl.endsWith(requestUri)
                || !requestUri.startsWith("/") || !only(requestUrl, authorityStart, pathStart, AUTHORITY)
                || !only(requestUri, 0, requestUri.length(), PATH)
                // decoded: a '%' there is a character Jersey would escape (and then refuse the path)
                || basePath.indexOf('%') >= 0 || !only(basePath, 0, basePath.length(), PATH)
                || (query != null && !only(query, 0, query.length(), QUERY))) {
            return null;
        }
        try {
            URI request = new URI(query == null || query.isEmpty() ? requestUrl : requestUrl + '?' + query);
            return new Pair(base(requestUrl.substring(0, pathStart), basePath), request);
        } catch (URISyntaxException e) {
            return null; // Jersey's own building says what is wrong with it
        }
    }

    private URI base(String origin, String basePath) throws URISyntaxException {
        String key = origin + basePath;
        Base last = lastBase;
        if (last != null && last.key.equals(key)) {
            return last.uri;
        }
        URI uri = new URI(key);
        lastBase = new Base(key, uri);
        return uri;
    }

    /** True when every character of s between from and to is a letter, a digit, one of allowed, or a %XX escape. */
    private static boolean only(String s, int from, int to, boolean[] allowed) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= to || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c >= 128 || !allowed[c]) {
                return false;
            }
        }
        return true;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean[] allowed(String punctuation) {
        boolean[] table = new boolean[128];
        for (char c = '0'; c <= '9'; c++) {
            table[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            table[c] = true;
            table[c - 'a' + 'A'] = true;
        }
        punctuation.chars().forEach(c -> table[c] = true);
        return table;
    }
}
