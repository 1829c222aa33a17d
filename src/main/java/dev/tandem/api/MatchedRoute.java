package dev.tandem.api;

import dev.tandem.web.RequestMetricsFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import java.util.List;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * Tells the request metrics which route a request matched: Jersey's template (e.g.
 * {@code /api/session/attributes/{name}}), never the raw path, so the {@code uri} tag stays bounded.
 * Runs after matching; in a servlet container request properties are the servlet request's attributes.
 */
public final class MatchedRoute implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getUriInfo() instanceof ExtendedUriInfo info) {
            request.setProperty(RequestMetricsFilter.ROUTE, template(info.getMatchedTemplates()));
        }
    }

    /** Jersey lists the matched templates innermost first. */
    static String template(List<UriTemplate> matched) {
        StringBuilder path = new StringBuilder();
        for (int i = matched.size() - 1; i >= 0; i--) {
            path.append('/').append(matched.get(i).getTemplate());
        }
        String route = path.toString().replaceAll("/{2,}", "/");
        return route.length() > 1 && route.endsWith("/") ? route.substring(0, route.length() - 1) : route;
    }
}
