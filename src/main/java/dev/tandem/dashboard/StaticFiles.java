package dev.tandem.dashboard;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The hand-written pages under src/main/resources/dev/tandem/dashboard/, read once at start (a
 * missing file fails the node's start, not a viewer's request) and served with headers that keep
 * the browser to them: same-origin scripts only, no sniffing, revalidated on every load.
 */
public final class StaticFiles {
    static final String DIR = "/dev/tandem/dashboard/";
    /** Everything that may be served, with its type; any other name is a 404. */
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");
    /** No inline script or style, nothing from elsewhere: the pages load only their own files. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Map<String, byte[]> files;

    public StaticFiles() {
        this.files = Map.copyOf(TYPES.keySet().stream().collect(
                java.util.stream.Collectors.toMap(name -> name, StaticFiles::load)));
    }

    /** The file as a 200, or a 404 for any name not in the list. */
    Response serve(String name) {
        byte[] body = files.get(name);
        if (body == null) {
            throw new NotFoundException();
        }
        return Response.ok(body, TYPES.get(name))
                // Revalidate each time: a lab rebuilt with a new page shows it on the next reload.
                .header("Cache-Control", "no-cache")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", CSP)
                .build();
    }

    private static byte[] load(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DIR + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(DIR + name, e);
        }
    }
}
