package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static dev.tandem.testing.ApiChecks.assertStamped;
import static dev.tandem.testing.ApiChecks.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CartResourceTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    private static String item(String sku, int qty) {
        return "{\"sku\":\"" + sku + "\",\"qty\":" + qty + "}";
    }

    private static int sessionsStored() {
        return node.node().cluster().cache().size();
    }

    @Test
    void readingTheCartWithoutASessionShowsAnEmptyCartAndCreatesNoSession() {
        int before = sessionsStored();
        TestHttp client = node.client();

        TestHttp.Reply r = client.get("/api/cart");

        assertThat(r.status()).isEqualTo(200);
        assertStamped(r, "t1");
        assertThat(r.setCookies()).as("no Set-Cookie").isEmpty();
        assertThat(client.sessionId()).isNull();
        JsonNode cart = r.json();
        assertThat(cart.path("node").asText()).isEqualTo("t1");
        assertThat(cart.path("items").isArray()).isTrue();
        assertThat(cart.path("items").isEmpty()).isTrue();
        assertThat(cart.path("totalQuantity").asInt(-1)).isZero();
        assertThat(sessionsStored()).isEqualTo(before);
    }

    @Test
    void addingAnItemIsA201WithTheWholeCartAndStartsASession() {
        TestHttp client = node.client();

        TestHttp.Reply r = client.post("/api/cart/items", item("apple", 2));

        assertThat(r.status()).isEqualTo(201);
        assertStamped(r, "t1");
        assertThat(r.sessionCookie()).isPresent();
        JsonNode cart = r.json();
        assertThat(cart.path("node").asText()).isEqualTo("t1");
        assertThat(cart.path("items").size()).isEqualTo(1);
        assertThat(cart.path("items").get(0).path("sku").asText()).isEqualTo("apple");
        assertThat(cart.path("items").get(0).path("qty").asInt()).isEqualTo(2);
        assertThat(cart.path("totalQuantity").asInt()).isEqualTo(2);
        assertThat(client.get("/api/cart").json()).isEqualTo(cart);
    }

    @Test
    void quantitiesOfTheSameSkuAddUp() {
        TestHttp client = node.client();
        client.post("/api/cart/items", item("apple", 2));
        client.post("/api/cart/items", item("apple", 3));
        TestHttp.Reply r = client.post("/api/cart/items", item("apple", 1));

        assertThat(r.json().path("items").size()).isEqualTo(1);
        assertThat(r.json().path("items").get(0).path("qty").asInt()).isEqualTo(6);
        assertThat(client.get("/api/cart").json().path("totalQuantity").asInt()).isEqualTo(6);
    }

    @Test
    void differentItemsKeepTheOrderTheyWereFirstAddedInAndTheTotalSumsThem() {
        TestHttp client = node.client();
        client.post("/api/cart/items", item("pear", 1));
        client.post("/api/cart/items", item("apple", 4));
        client.post("/api/cart/items", item("Z_9-x", 2));
        client.post("/api/cart/items", item("pear", 5));

        JsonNode cart = client.get("/api/cart").json();
        assertThat(cart.path("items")).extracting(i -> i.path("sku").asText()).containsExactly("pear", "apple", "Z_9-x");
        assertThat(cart.path("items")).extracting(i -> i.path("qty").asInt()).containsExactly(6, 4, 2);
        assertThat(cart.path("totalQuantity").asInt()).isEqualTo(12);
    }

    @Test
    void removingAnItemIsA204AndLeavesTheOthers() {
        TestHttp client = node.client();
        client.post("/api/cart/items", item("apple", 2));
        client.post("/api/cart/items", item("pear", 3));

        TestHttp.Reply r = client.delete("/api/cart/items/apple");

        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertStamped(r, "t1");
        JsonNode cart = client.get("/api/cart").json();
        assertThat(cart.path("items")).extracting(i -> i.path("sku").asText()).containsExactly("pear");
        assertThat(cart.path("totalQuantity").asInt()).isEqualTo(3);
    }

    @Test
    void removingASkuThatIsNotInTheCartIsA404AndChangesNothing() {
        TestHttp client = node.client();
        client.post("/api/cart/items", item("apple", 2));
        JsonNode before = state(client);

        JsonNode error = assertError(client.delete("/api/cart/items/banana"), 404, "not_found", "t1");

        assertThat(error.path("message").asText()).contains("banana");
        assertThat(state(client)).isEqualTo(before);
    }

    @Test
    void removingTheSameItemTwiceIsA204ThenA404() {
        TestHttp client = node.client();
        client.post("/api/cart/items", item("apple", 2));
        assertThat(client.delete("/api/cart/items/apple").status()).isEqualTo(204);
        assertError(client.delete("/api/cart/items/apple"), 404, "not_found", "t1");
        assertThat(client.get("/api/cart").json().path("items").isEmpty()).isTrue();
    }

    @Test
    void removingFromTheCartWithoutASessionIsA404AndCreatesNone() {
        TestHttp client = node.client();
        TestHttp.Reply r = client.delete("/api/cart/items/apple");
        assertError(r, 404, "not_found", "t1");
        assertThat(r.setCookies()).isEmpty();
    }

    @Test
    void eachSessionHasItsOwnCart() {
        TestHttp one = node.client();
        TestHttp two = node.client();
        one.post("/api/cart/items", item("apple", 2));
        two.post("/api/cart/items", item("pear", 7));

        assertThat(one.get("/api/cart").json().path("items")).extracting(i -> i.path("sku").asText()).containsExactly("apple");
        assertThat(two.get("/api/cart").json().path("totalQuantity").asInt()).isEqualTo(7);
    }

    @Test
    void aQuantityFrom1To1000IsAcceptedPerAdd() {
        TestHttp client = node.client();
        assertThat(client.post("/api/cart/items", item("min", 1)).status()).isEqualTo(201);
        assertThat(client.post("/api/cart/items", item("max", 1000)).status()).isEqualTo(201);
        JsonNode before = state(client);
        assertError(client.post("/api/cart/items", item("max", 1001)), 400, "bad_request", "t1");
        assertError(client.post("/api/cart/items", item("max", 0)), 400, "bad_request", "t1");
        assertError(client.post("/api/cart/items", item("max", -1)), 400, "bad_request", "t1");
        assertThat(state(client)).isEqualTo(before);
    }

    @Test
    void oneItemCannotExceed10000AndTheRefusalChangesNothing() {
        TestHttp client = node.client();
        for (int i = 0; i < 10; i++) {
            assertThat(client.post("/api/cart/items", item("bulk", 1000)).status()).isEqualTo(201);
        }
        JsonNode before = state(client);

        assertError(client.post("/api/cart/items", item("bulk", 1)), 409, "quantity_too_large", "t1");

        assertThat(state(client)).isEqualTo(before);
        assertThat(client.get("/api/cart").json().path("totalQuantity").asInt()).isEqualTo(10_000);
    }

    @Test
    void aCartHoldsAtMost100DifferentItemsButMoreOfAnExistingOneIsFine() {
        TestHttp client = node.client();
        for (int i = 0; i < 100; i++) {
            assertThat(client.post("/api/cart/items", item("sku" + i, 1)).status()).isEqualTo(201);
        }
        JsonNode before = state(client);

        assertError(client.post("/api/cart/items", item("sku100", 1)), 409, "cart_full", "t1");
        assertThat(state(client)).isEqualTo(before);

        assertThat(client.post("/api/cart/items", item("sku0", 1)).status()).isEqualTo(201);
        assertThat(client.get("/api/cart").json().path("totalQuantity").asInt()).isEqualTo(101);
    }
}
