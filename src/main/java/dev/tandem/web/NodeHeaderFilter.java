package dev.tandem.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;

/**
 * Stamps every response with the serving node and a request id, and puts the id in the log
 * context. Answers are per session and say who is logged in, so no cache keeps them
 * ({@code Cache-Control: no-store}, as OWASP's session-management cheat sheet asks); the few
 * resources that may be cached (pages, scripts) set their own.
 */
public final class NodeHeaderFilter extends HttpFilter {
    private final String node;

    public NodeHeaderFilter(String node) {
        this.node = node;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        String requestId = RequestIds.pick(req.getHeader(RequestIds.HEADER));
        req.setAttribute(RequestIds.ATTRIBUTE, requestId);
        res.setHeader("X-Tandem-Node", node);
        res.setHeader(RequestIds.HEADER, requestId);
        res.setHeader("Cache-Control", "no-store");
        MDC.put("requestId", requestId);
        try {
            chain.doFilter(req, res);
        } finally {
            MDC.remove("requestId");
        }
    }
}
