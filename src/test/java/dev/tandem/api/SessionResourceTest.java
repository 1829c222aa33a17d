package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static dev.tandem.testing.ApiChecks.assertStamped;
import static dev.tandem.testing.ApiChecks.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionResourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    @Test
    void theFirstGetCreatesASessionWhoseIdEndsWithTheNodeName() {
        TestHttp client = node.client();
        TestHttp.Reply r = client.get("/api/session");

        assertThat(r.status()).isEqualTo(200);
        assertStamped(r, "t1");
        JsonNode body = r.json();
        assertThat(body.path("new").asBoolean()).isTrue();
        assertThat(body.path("node").asText()).isEqualTo("t1");
        assertThat(body.has("id")).as("the id stays in the HttpOnly cookie: %s", r.body()).isFalse();
        assertThat(body.path("attributes").isObject()).isTrue();
        assertThat(body.path("attributes").isEmpty()).isTrue();
        assertThat(body.path("counter").asLong()).isZero();
        assertThat(body.path("user").isNull()).isTrue();
        String id = r.sessionCookie().orElseThrow();
        assertThat(id).matches("[A-Za-z0-9_-]{24}\\.t1");
        assertThat(r.body()).as("no part of the id in the body").doesNotContain(id.substring(0, 24));
    }

    @Test
    void theSecondGetReturnsTheSameSessionNoLongerNewAndSetsNoCookie() {
        TestHttp client = node.client();
        client.get("/api/session");
        String id = client.sessionId();

        TestHttp.Reply again = client.get("/api/session");

        assertThat(client.sessionId()).isEqualTo(id);
        assertThat(again.json().path("new").asBoolean()).isFalse();
        assertThat(again.setCookies()).isEmpty();
    }

    @Test
    void twoClientsGetTwoDifferentSessions() {
        assertThat(node.client().get("/api/session").sessionCookie().orElseThrow())
                .isNotEqualTo(node.client().get("/api/session").sessionCookie().orElseThrow());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "{\"dark\":true,\"size\":12,\"tags\":[\"a\",\"b\"],\"nested\":{\"x\":null}}",
        "[1,\"two\",{\"three\":3},[],null]",
        "\"a string with \\\"quotes\\\" and grüße ✓\"",
        "42", "-7", "3.25", "1.0E10",
        "true", "false",
        "{}", "[]", "\"\""})
    void anyJsonValueCanBeStoredAndReadBack(String value) throws Exception {
        TestHttp client = node.client();
        JsonNode expected = JSON.readTree(value);

        TestHttp.Reply put = client.put("/api/session/attributes/pref", value);
        assertThat(put.status()).as(put.body()).isEqualTo(204);
        assertThat(put.body()).isEmpty();
        assertStamped(put, "t1");

        TestHttp.Reply get = client.get("/api/session/attributes/pref");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.json()).isEqualTo(expected);
        assertThat(client.get("/api/session").json().path("attributes").path("pref")).isEqualTo(expected);
    }

    @Test
    void aShortAnswerSaysItsLengthAndALongOneArrivesWholeInChunks() throws Exception {
        TestHttp client = node.client();
        String big = "\"" + "x".repeat(ApiApplication.CONTENT_LENGTH_BUFFER * 2) + "\"";
        assertThat(client.put("/api/session/attributes/big", big).status()).isEqualTo(204);
        assertThat(client.put("/api/session/attributes/small", "1").status()).isEqualTo(204);

        TestHttp.Reply small = client.get("/api/session/attributes/small");
        assertThat(small.header("Content-Length")).isEqualTo(String.valueOf(small.body().length()));
        TestHttp.Reply whole = client.get("/api/session");
        assertThat(whole.header("Content-Length")).isNull();
        assertThat(whole.header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        assertThat(whole.json().path("attributes").path("big")).isEqualTo(JSON.readTree(big));
    }

    @Test
    void puttingAnAttributeWithoutASessionCreatesOne() {
        TestHttp client = node.client();
        TestHttp.Reply put = client.put("/api/session/attributes/first", "1");
        assertThat(put.status()).isEqualTo(204);
        assertThat(put.sessionCookie()).isPresent();
        assertThat(client.get("/api/session").json().path("new").asBoolean()).isFalse();
    }

    @Test
    void puttingAnAttributeAgainReplacesItAndLeavesTheOthers() {
        TestHttp client = node.client();
        client.put("/api/session/attributes/a", "1");
        client.put("/api/session/attributes/b", "\"keep\"");
        client.put("/api/session/attributes/a", "{\"v\":2}");

        JsonNode attributes = client.get("/api/session").json().path("attributes");
        assertThat(attributes.size()).isEqualTo(2);
        assertThat(attributes.path("a").path("v").asInt()).isEqualTo(2);
        assertThat(attributes.path("b").asText()).isEqualTo("keep");
    }

    @Test
    void attributeNamesMayUseLettersDigitsDotsDashesAndUnderscoresUpTo64() {
        TestHttp client = node.client();
        String name = "A-z_0.9" + "x".repeat(57);
        assertThat(client.put("/api/session/attributes/" + name, "1").status()).isEqualTo(204);
        assertThat(client.get("/api/session/attributes/" + name).json().asInt()).isEqualTo(1);
    }

    @Test
    void aDeletedAttributeIsGoneAndReadingItIsA404() {
        TestHttp client = node.client();
        client.put("/api/session/attributes/gone", "\"x\"");
        client.put("/api/session/attributes/stays", "\"y\"");

        TestHttp.Reply delete = client.delete("/api/session/attributes/gone");
        assertThat(delete.status()).isEqualTo(204);
        assertStamped(delete, "t1");

        assertError(client.get("/api/session/attributes/gone"), 404, "not_found", "t1");
        assertThat(client.get("/api/session").json().path("attributes").fieldNames()).toIterable().containsExactly("stays");
    }

    @Test
    void deletingAnAttributeThatIsNotThereIsStillA204() {
        TestHttp client = node.client();
        client.get("/api/session");
        assertThat(client.delete("/api/session/attributes/never").status()).isEqualTo(204);
    }

    @Test
    void withoutASessionReadingOrDeletingAnAttributeCreatesNone() {
        TestHttp client = node.client();
        TestHttp.Reply get = client.get("/api/session/attributes/x");
        assertError(get, 404, "not_found", "t1");
        TestHttp.Reply delete = client.delete("/api/session/attributes/x");
        assertThat(delete.status()).isEqualTo(204);
        assertThat(get.setCookies()).isEmpty();
        assertThat(delete.setCookies()).isEmpty();
        assertThat(client.sessionId()).isNull();
    }

    @Test
    void aSessionHoldsAtMost64AttributesAndTheRefusalChangesNothing() {
        TestHttp client = node.client();
        for (int i = 0; i < 64; i++) {
            assertThat(client.put("/api/session/attributes/a" + i, Integer.toString(i)).status()).isEqualTo(204);
        }
        JsonNode before = state(client);
        assertError(client.put("/api/session/attributes/one-more", "1"), 413, "too_many_attributes", "t1");
        assertThat(state(client)).isEqualTo(before);
        assertThat(client.put("/api/session/attributes/a0", "\"replacing is fine\"").status()).isEqualTo(204);
    }

    @Test
    void theCounterCountsOneTwoThreeAndTheSessionShowsIt() {
        TestHttp client = node.client();
        for (int expected = 1; expected <= 3; expected++) {
            TestHttp.Reply r = client.post("/api/session/counter", null);
            assertThat(r.status()).isEqualTo(200);
            assertStamped(r, "t1");
            assertThat(r.json().path("value").asLong()).isEqualTo(expected);
            assertThat(r.json().size()).isEqualTo(1);
        }
        assertThat(client.get("/api/session").json().path("counter").asLong()).isEqualTo(3);
    }

    @Test
    void eachSessionHasItsOwnCounter() {
        TestHttp one = node.client();
        TestHttp two = node.client();
        one.post("/api/session/counter", null);
        one.post("/api/session/counter", null);
        assertThat(two.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(1);
        assertThat(one.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(3);
    }

    @Test
    void deletingTheSessionInvalidatesItAndTheNextGetStartsAfresh() {
        TestHttp client = node.client();
        client.post("/api/session/counter", null);
        client.put("/api/session/attributes/x", "1");
        String oldId = client.sessionId();

        TestHttp.Reply delete = client.delete("/api/session");
        assertThat(delete.status()).isEqualTo(204);
        assertStamped(delete, "t1");

        JsonNode fresh = client.get("/api/session").json();
        assertThat(client.sessionId()).isNotEqualTo(oldId).endsWith(".t1");
        assertThat(fresh.path("new").asBoolean()).isTrue();
        assertThat(fresh.path("counter").asLong()).isZero();
        assertThat(fresh.path("attributes").isEmpty()).isTrue();
        assertThat(client.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(1);
    }

    @Test
    void theIdOfADeletedSessionNoLongerFindsItsData() {
        TestHttp client = node.client();
        client.put("/api/session/attributes/secret", "\"s3cr3t\"");
        String oldId = client.sessionId();
        client.delete("/api/session");

        TestHttp replay = node.client();
        replay.sessionId(oldId);
        assertError(replay.get("/api/session/attributes/secret"), 404, "not_found", "t1");
    }

    @Test
    void deletingWithoutASessionIsA204AndCreatesNone() {
        TestHttp client = node.client();
        TestHttp.Reply r = client.delete("/api/session");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.setCookies()).isEmpty();
    }
}
