package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;

/**
 * The API takes JSON only. A state-changing request that declares any other body
 * (Content-Type {@code text/plain}, {@code application/x-www-form-urlencoded},
 * {@code multipart/form-data}: what an HTML form or a no-cors fetch sends cross-site without a
 * CORS preflight), a charset other than UTF-8, a content coding, or a body without a Content-Type
 * is answered {@code 415} before any resource runs, also where the resource reads no body (logout,
 * counter). A request without a body and without a Content-Type ({@code curl -X POST}) passes.
 */
public final class JsonBodyFilter extends HttpFilter {
    private final ObjectMapper mapper;

    public JsonBodyFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (CrossSiteRequestFilter.STATE_CHANGING.contains(req.getMethod())) {
            // The raw header: Jetty's getContentType() throws on a charset the JVM does not know.
            String refusal = refusal(req.getHeader("Content-Type"),
                    req.getContentLengthLong() > 0 || req.getHeader("Transfer-Encoding") != null,
                    req.getHeader("Content-Encoding"));
            if (refusal != null) {
                Refusals.send(mapper, req, res, 415, "unsupported_media_type", refusal);
                return;
            }
        }
        chain.doFilter(req, res);
    }

    /** Why the body is refused, or null when it is JSON in UTF-8 or there is none. */
    static String refusal(String contentType, boolean hasBody, String contentEncoding) {
        if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.trim().equalsIgnoreCase("identity")) {
            return "send the body as plain application/json, without a content coding";
        }
        if (contentType == null || contentType.isBlank()) {
            return hasBody ? "send the body as application/json" : null;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().toLowerCase(Locale.ROOT).equals("application/json")) {
            return "send the body as application/json";
        }
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv[0].trim().equalsIgnoreCase("charset")) {
                String charset = kv.length < 2 ? "" : kv[1].trim().replace("\"", "");
                if (!charset.equalsIgnoreCase("utf-8")) {
                    return "send the body as application/json in UTF-8";
                }
            }
        }
        return null;
    }
}
