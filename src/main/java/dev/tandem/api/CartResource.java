package dev.tandem.api;

import dev.tandem.api.errors.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/** A shopping cart kept in the session: the demo of why sessions must survive a node. */
@Path("/api/cart")
@Produces(MediaType.APPLICATION_JSON)
public final class CartResource {
    private static final Pattern SKU = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    static final int MAX_LINES = 100;
    static final int MAX_QTY = 10_000;

    private final NodeInfo node;
    private final SessionWork work;
    private final SessionChanges changes;

    public CartResource(NodeInfo node, SessionWork work, SessionChanges changes) {
        this.node = node;
        this.work = work;
        this.changes = changes;
    }

    public record AddItem(String sku, Integer qty) {}

    public record Line(String sku, int qty) {}

    public record CartView(String node, List<Line> items, int totalQuantity) {}

    /** Reading an empty cart does not create a session. */
    @GET
    public CompletionStage<CartView> get(@Context HttpServletRequest request) {
        return work.supply(() -> view(SessionData.cart(request.getSession(false))));
    }

    @POST
    @Path("items")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> add(@Context HttpServletRequest request, AddItem item) {
        if (item == null || item.sku() == null || !SKU.matcher(item.sku()).matches()) {
            throw ApiException.badRequest("'sku' must be 1-40 of [A-Za-z0-9_-]");
        }
        if (item.qty() == null || item.qty() < 1 || item.qty() > 1000) {
            throw ApiException.badRequest("'qty' must be an integer from 1 to 1000");
        }
        return work.supply(() -> {
            HttpSession session = request.getSession(true);
            Map<String, Integer> cart = SessionData.cart(session);
            if (!cart.containsKey(item.sku()) && cart.size() >= MAX_LINES) {
                throw new ApiException(409, "cart_full", "a cart holds at most " + MAX_LINES + " different items");
            }
            int qty = cart.getOrDefault(item.sku(), 0) + item.qty();
            if (qty > MAX_QTY) {
                throw new ApiException(409, "quantity_too_large", "at most " + MAX_QTY + " of one item");
            }
            cart.put(item.sku(), qty);
            SessionData.putCart(session, cart);
            changes.changed(request, session, "cart", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("sku", item.sku()).put("qty", qty));
            return Response.status(201).entity(view(cart)).build();
        });
    }

    @DELETE
    @Path("items/{sku}")
    public CompletionStage<Response> remove(@Context HttpServletRequest request, @PathParam("sku") String sku) {
        return work.supply(() -> {
            HttpSession session = request.getSession(false);
            Map<String, Integer> cart = SessionData.cart(session);
            if (cart.remove(sku) == null) {
                throw ApiException.notFound("'" + sku + "' is not in the cart");
            }
            SessionData.putCart(session, cart);
            changes.changed(request, session, "cart", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("sku", sku).put("qty", 0));
            return Response.noContent().build();
        });
    }

    private CartView view(Map<String, Integer> cart) {
        List<Line> lines = cart.entrySet().stream().map(e -> new Line(e.getKey(), e.getValue())).toList();
        return new CartView(node.name(), lines, lines.stream().mapToInt(Line::qty).sum());
    }
}
