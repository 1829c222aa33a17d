package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static dev.tandem.testing.ApiChecks.furnishedSession;
import static dev.tandem.testing.ApiChecks.raw;
import static dev.tandem.testing.ApiChecks.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bodies the API must refuse: each is a 4xx JSON error {error, message, requestId} that leaks
 * nothing, and the session it was sent with is exactly as it was.
 */
class BadJsonInputTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    private static Arguments cart(String body, String error, String mentions) {
        return Arguments.of("POST", "/api/cart/items", body, error, mentions);
    }

    private static Arguments login(String body, String error, String mentions) {
        return Arguments.of("POST", "/api/login", body, error, mentions);
    }

    private static Arguments attribute(String body, String error, String mentions) {
        return Arguments.of("PUT", "/api/session/attributes/theme", body, error, mentions);
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                // malformed JSON
                cart("{", "bad_json", "not valid JSON"),
                cart("{\"sku\":\"pear\",\"qty\":", "bad_json", "not valid JSON"),
                cart("sku=pear&qty=1", "bad_json", "not valid JSON"),
                cart("{'sku':'pear','qty':1}", "bad_json", "not valid JSON"),
                login("{\"user\":", "bad_json", "not valid JSON"),
                login("{\"user\":\"bob\"} trailing", "bad_json", ""),
                login("{\"user\":\"bob\"} {}", "bad_json", ""),
                attribute("{\"dark\":", "bad_json", "not valid JSON"),
                attribute("1 2", "bad_json", ""),
                attribute("nope", "bad_json", "not valid JSON"),
                // wrong types
                cart("{\"sku\":\"pear\",\"qty\":\"2\"}", "bad_json", "'qty'"),
                cart("{\"sku\":\"pear\",\"qty\":2.5}", "bad_json", "'qty'"),
                cart("{\"sku\":\"pear\",\"qty\":2.0}", "bad_json", "'qty'"),
                cart("{\"sku\":\"pear\",\"qty\":true}", "bad_json", "'qty'"),
                cart("{\"sku\":\"pear\",\"qty\":10000000000}", "bad_json", "'qty'"),
                cart("{\"sku\":\"pear\",\"qty\":[1]}", "bad_json", "'qty'"),
                cart("{\"sku\":5,\"qty\":1}", "bad_json", "'sku'"),
                cart("{\"sku\":{\"id\":\"pear\"},\"qty\":1}", "bad_json", "'sku'"),
                login("{\"user\":123}", "bad_json", "'user'"),
                login("{\"user\":true}", "bad_json", "'user'"),
                login("{\"user\":[\"bob\"]}", "bad_json", "'user'"),
                // a body that is not an object
                cart("[{\"sku\":\"pear\",\"qty\":1}]", "bad_json", ""),
                cart("\"pear\"", "bad_json", ""),
                cart("42", "bad_json", ""),
                login("[\"bob\"]", "bad_json", ""),
                // unknown fields
                cart("{\"sku\":\"pear\",\"qty\":1,\"price\":0}", "bad_json", "'price'"),
                login("{\"user\":\"bob\",\"admin\":true}", "bad_json", "'admin'"),
                // missing fields
                cart("{}", "bad_request", "'sku'"),
                cart("{\"sku\":\"pear\"}", "bad_request", "'qty'"),
                cart("{\"qty\":1}", "bad_request", "'sku'"),
                cart("{\"sku\":null,\"qty\":1}", "bad_request", "'sku'"),
                cart("{\"sku\":\"pear\",\"qty\":null}", "bad_request", "'qty'"),
                login("{}", "bad_request", "'user'"),
                login("{\"user\":null}", "bad_request", "'user'"),
                // null or empty bodies
                cart("null", "bad_request", ""),
                cart("", "bad_request", ""),
                login("null", "bad_request", ""),
                login("", "bad_request", ""),
                attribute("null", "bad_request", "DELETE"),
                attribute("", "bad_request", ""),
                // values outside the rules
                cart("{\"sku\":\"\",\"qty\":1}", "bad_request", "'sku'"),
                cart("{\"sku\":\"a/b\",\"qty\":1}", "bad_request", "'sku'"),
                cart("{\"sku\":\"" + "s".repeat(41) + "\",\"qty\":1}", "bad_request", "'sku'"),
                cart("{\"sku\":\"pear\",\"qty\":0}", "bad_request", "'qty'"),
                cart("{\"sku\":\"pear\",\"qty\":-3}", "bad_request", "'qty'"),
                cart("{\"sku\":\"pear\",\"qty\":1001}", "bad_request", "'qty'"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("badBodies")
    void aBadBodyIsA400JsonErrorAndChangesNothing(String method, String path, String body, String error, String mentions) {
        TestHttp client = furnishedSession(node);
        JsonNode before = state(client);

        TestHttp.Reply r = client.send(method, path, body);

        JsonNode err = assertError(r, 400, error, "t1");
        assertThat(err.path("message").asText()).contains(mentions);
        assertThat(r.setCookies()).as("no new session, no new id").isEmpty();
        assertThat(state(client)).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("badBodies")
    void aBadBodyWithoutASessionCreatesNone(String method, String path, String body, String error, String mentions) {
        TestHttp client = node.client();
        int stored = node.node().cluster().cache().size();

        TestHttp.Reply r = client.send(method, path, body);

        assertError(r, 400, error, "t1");
        assertThat(r.setCookies()).isEmpty();
        assertThat(node.node().cluster().cache().size()).isEqualTo(stored);
    }

    @Test
    void aPostWithAJsonContentTypeButNoBodyAtAllIsA400() {
        TestHttp client = furnishedSession(node);
        JsonNode before = state(client);
        assertError(raw(client, "POST", "/api/cart/items", null, "Content-Type", "application/json"), 400, "bad_request", "t1");
        assertError(raw(client, "POST", "/api/login", null, "Content-Type", "application/json"), 400, "bad_request", "t1");
        assertError(raw(client, "PUT", "/api/session/attributes/theme", null, "Content-Type", "application/json"),
                400, "bad_request", "t1");
        assertThat(state(client)).isEqualTo(before);
    }

    @Test
    void theErrorMessageDoesNotEchoParserInternals() {
        TestHttp client = node.client();
        JsonNode err = assertError(client.post("/api/cart/items", "{\"sku\":\"pear\",\"qty\":\"2\"}"), 400, "bad_json", "t1");
        assertThat(err.path("message").asText())
                .doesNotContain("com.fasterxml", "line:", "column:", "Source:", "java.lang", "Cannot deserialize");
    }
}
