package dev.tandem.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses state-changing requests a browser sent on behalf of another site (CSRF), as OWASP's
 * CSRF cheat sheet describes, before any resource runs: {@code Sec-Fetch-Site: cross-site}, or an
 * {@code Origin} that is not this request's own origin (scheme, host and port as the node sees
 * them: Host, and X-Forwarded-Proto from a trusted proxy, which Jetty has applied by now) answer
 * {@code 403 cross_site_request}. {@code Origin: null} (sandboxed frames, cross-site redirects) is
 * not same-origin either. A request with neither header did not come from a browser that sends
 * them (curl, tests, server-to-server) and passes; every browser this API supports sends
 * {@code Origin} on a POST, PUT, PATCH or DELETE.
 */
public final class CrossSiteRequestFilter extends HttpFilter {
    static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private final ObjectMapper mapper;

    public CrossSiteRequestFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (STATE_CHANGING.contains(req.getMethod())) {
            String fetchSite = req.getHeader("Sec-Fetch-Site");
            String origin = req.getHeader("Origin");
            if ("cross-site".equalsIgnoreCase(fetchSite == null ? null : fetchSite.trim())
                    || (origin != null && !sameOrigin(origin, req))) {
                Refusals.send(mapper, req, res, 403, "cross_site_request",
                        "a request from another site may not change anything here");
                return;
            }
        }
        chain.doFilter(req, res);
    }

    /** RFC 6454 origins are equal when scheme, host and port are; a missing port is the scheme's default. */
    static boolean sameOrigin(String origin, HttpServletRequest req) {
        URI o;
        try {
            o = new URI(origin.trim());
        } catch (URISyntaxException e) {
            return false;
        }
        if (o.getScheme() == null || o.getHost() == null || o.getRawUserInfo() != null
                || (o.getRawPath() != null && !o.getRawPath().isEmpty()) || o.getRawQuery() != null) {
            return false; // "null", or not an origin at all
        }
        String scheme = o.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals(req.getScheme().toLowerCase(Locale.ROOT))
                && bare(o.getHost()).equals(bare(req.getServerName()))
                && port(scheme, o.getPort()) == port(scheme, req.getServerPort());
    }

    private static String bare(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static int port(String scheme, int port) {
        if (port > 0) {
            return port;
        }
        return scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
    }
}
