package dev.tandem.api;

import dev.tandem.web.RequestMetricsFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * Tells the request metrics which route a request matched: Jersey's template (e.g.
 * {@code /api/session/attributes/{name}}), never the raw path, so the {@code uri} tag stays bounded.
 * Runs after matching; in a servlet container request properties are the servlet request's attributes.
 *
 * <p>Each route's tag is built once and kept, keyed by the templates Jersey matched (compared by
 * their text): building it per request cost 3 % of a warm node's CPU (issue 16's profile). The map
 * holds one entry per route of the API, so it stays as small as the API.
 */
public final class MatchedRoute implements ContainerRequestFilter {
    private static final Pattern REPEATED_SLASHES = Pattern.compile("/{2,}");
    private final Map<List<UriTemplate>, String> routes = new ConcurrentHashMap<>();

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getUriInfo() instanceof ExtendedUriInfo info) {
            request.setProperty(RequestMetricsFilter.ROUTE, route(info.getMatchedTemplates()));
        }
    }

    String route(List<UriTemplate> matched) {
        String route = routes.get(matched);
        if (route == null) {
            route = template(matched);
            routes.putIfAbsent(List.copyOf(matched), route); // a copy: Jersey's list belongs to the request
        }
        return route;
    }

    /** Jersey lists the matched templates innermost first. */
    static String template(List<UriTemplate> matched) {
        StringBuilder path = new StringBuilder();
        for (int i = matched.size() - 1; i >= 0; i--) {
            path.append('/').append(matched.get(i).getTemplate());
        }
        String route = REPEATED_SLASHES.matcher(path).replaceAll("/");
        return route.length() > 1 && route.endsWith("/") ? route.substring(0, route.length() - 1) : route;
    }
}
