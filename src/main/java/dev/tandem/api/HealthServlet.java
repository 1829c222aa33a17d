package dev.tandem.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.web.ErrorBody;
import dev.tandem.web.Refusals;
import dev.tandem.web.RequestMetricsFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /health/live} and {@code GET /health/ready} as a plain servlet beside the JAX-RS API,
 * as Dropwizard serves its health checks apart from Jersey: every balancer asks every node twice a
 * second, and a check needs neither routing nor content negotiation (issue 16's profile: Jersey and
 * HK2 are two thirds of a trivial request's CPU). The filters in front of the API still run (node
 * and request id headers, metrics, session guards), so the answers look like every other one.
 */
public final class HealthServlet extends HttpServlet {
    /** Where it is mapped, beside the API's {@code /*}. */
    public static final String MAPPING = "/health/*";
    private static final byte[] LIVE = "{\"status\":\"live\"}".getBytes(StandardCharsets.UTF_8);

    private final transient Health health;
    private final transient ObjectMapper mapper;

    public HealthServlet(Health health, ObjectMapper mapper) {
        this.health = health;
        this.mapper = mapper;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String path = req.getPathInfo();
        if ("/live".equals(path)) {
            req.setAttribute(RequestMetricsFilter.ROUTE, "/health/live");
            res.setContentType("application/json");
            res.setContentLength(LIVE.length);
            res.getOutputStream().write(LIVE);
        } else if ("/ready".equals(path)) {
            req.setAttribute(RequestMetricsFilter.ROUTE, "/health/ready");
            Health.Answer answer = health.ready();
            res.setStatus(answer.status());
            res.setContentType("application/json");
            mapper.writeValue(res.getOutputStream(), answer.body());
        } else {
            Refusals.send(mapper, req, res, 404, ErrorBody.codeFor(404), ErrorBody.sentenceFor(404));
        }
    }

    /** Every other method: 405 with what is allowed (the servlet default sends no Allow header). */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException, ServletException {
        String method = req.getMethod();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            super.service(req, res);
            return;
        }
        res.setHeader("Allow", "GET, HEAD, OPTIONS");
        Refusals.send(mapper, req, res, 405, ErrorBody.codeFor(405), ErrorBody.sentenceFor(405));
    }
}
