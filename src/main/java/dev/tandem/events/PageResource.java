package dev.tandem.events;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The real-time demo page at the VIP's {@code /}: static files from dev/tandem/events/web/. */
@Path("/")
public final class PageResource {
    private final byte[] html = read("index.html");
    private final byte[] js = read("app.js");

    @GET
    @Produces("text/html; charset=utf-8")
    public Response page() {
        return Response.ok(html).header("Cache-Control", "no-cache").build();
    }

    @GET
    @Path("app.js")
    @Produces("text/javascript; charset=utf-8")
    public Response script() {
        return Response.ok(js).header("Cache-Control", "no-cache").build();
    }

    private static byte[] read(String name) {
        try (InputStream in = PageResource.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource dev/tandem/events/web/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
