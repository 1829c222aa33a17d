package dev.tandem.dashboard;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * The VIP's front door ({@code GET /}): a small static page with links to the dashboard, the API
 * and the stats page. To put another page at {@code /}, change {@link #PAGE} (a file next to it in
 * src/main/resources/dev/tandem/dashboard/, listed in {@link StaticFiles}), or stop registering this
 * resource in ApiApplication and serve {@code /} elsewhere: this is the one place that answers it.
 */
@Path("/")
public final class LandingResource {
    static final String PAGE = "landing.html";

    private final StaticFiles files;

    public LandingResource(StaticFiles files) {
        this.files = files;
    }

    /** HTML whatever the Accept header says: curl users get the links too. */
    @GET
    public Response page() {
        return files.serve(PAGE);
    }
}
