package dev.tandem.api;

import dev.tandem.api.errors.ApiException;
import dev.tandem.lifecycle.Drainer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/** Operator actions, for the machine itself only. */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminResource {
    private final Drainer drainer;

    public AdminResource(Drainer drainer) {
        this.drainer = drainer;
    }

    /**
     * Loopback only, and never through a proxy: a balancer on the same machine also connects from
     * loopback, but it adds X-Forwarded-For.
     */
    @POST
    @Path("drain")
    public Response drain(@Context HttpServletRequest request) {
        if (!fromThisMachine(request)) {
            throw new ApiException(403, "forbidden", "drain is accepted only from this machine, not through a proxy");
        }
        boolean started = drainer.drain("POST /admin/drain");
        return Response.status(202).entity(Map.of("state", "draining", "started", started)).build();
    }

    private static boolean fromThisMachine(HttpServletRequest request) {
        if (request.getHeader("X-Forwarded-For") != null || request.getHeader("Forwarded") != null) {
            return false;
        }
        try {
            return InetAddress.getByName(request.getRemoteAddr()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
