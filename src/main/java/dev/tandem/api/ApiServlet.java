package dev.tandem.api;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * Jersey's servlet, with the request's URIs built once ({@link RequestUris}) instead of through
 * Jersey's {@code UriBuilder} on every request; a URL that needs encoding still goes Jersey's way.
 */
public final class ApiServlet extends ServletContainer {
    private final transient RequestUris uris = new RequestUris();

    public ApiServlet(ResourceConfig config) {
        super(config);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        RequestUris.Pair pair = uris.of(request.getRequestURL().toString(), request.getRequestURI(),
                request.getQueryString(), request.getContextPath() + request.getServletPath() + "/");
        if (pair == null) {
            super.service(request, response);
        } else {
            service(pair.base(), pair.request(), request, response);
        }
    }
}
