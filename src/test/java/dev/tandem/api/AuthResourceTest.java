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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthResourceTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    private static TestHttp withSession() {
        TestHttp client = node.client();
        assertThat(client.get("/api/session").status()).isEqualTo(200);
        return client;
    }

    @Test
    void loginReturnsTheUserAndANewSessionIdInTheCookieOnly() {
        TestHttp client = withSession();
        String before = client.sessionId();

        TestHttp.Reply r = client.post("/api/login", "{\"user\":\"alice@example.com\"}");

        assertThat(r.status()).isEqualTo(200);
        assertStamped(r, "t1");
        JsonNode body = r.json();
        assertThat(body.path("user").asText()).isEqualTo("alice@example.com");
        assertThat(body.path("node").asText()).isEqualTo("t1");
        assertThat(body.has("id")).as("no session id in the body: %s", r.body()).isFalse();
        String after = r.sessionCookie().orElseThrow();
        assertThat(after).as("the new id is sent as the cookie").endsWith(".t1").isNotEqualTo(before);
        assertThat(r.body()).doesNotContain(after.substring(0, after.indexOf('.')));
        TestHttp.Reply s = client.get("/api/session");
        assertThat(s.json().path("user").asText()).isEqualTo("alice@example.com");
        assertThat(s.setCookies()).as("the new id is the session now").isEmpty();
    }

    @Test
    void anIdPlantedBeforeLoginIsWorthlessAfterIt() {
        TestHttp victim = withSession();
        String planted = victim.sessionId();
        victim.post("/api/login", "{\"user\":\"alice\"}");
        victim.put("/api/session/attributes/secret", "\"s3cr3t\"");

        TestHttp attacker = node.client();
        attacker.sessionId(planted);

        assertError(attacker.get("/api/session/attributes/secret"), 404, "not_found", "t1");
        JsonNode seen = attacker.get("/api/session").json();
        assertThat(seen.path("user").isNull()).isTrue();
        assertThat(seen.path("new").asBoolean()).isTrue();
        assertThat(attacker.sessionId()).isNotEqualTo(planted).isNotEqualTo(victim.sessionId());
    }

    @Test
    void loginKeepsWhatTheSessionAlreadyHeld() {
        TestHttp client = withSession();
        client.post("/api/session/counter", null);
        client.put("/api/session/attributes/theme", "\"dark\"");
        client.post("/api/cart/items", "{\"sku\":\"apple\",\"qty\":2}");

        client.post("/api/login", "{\"user\":\"bob\"}");

        JsonNode s = client.get("/api/session").json();
        assertThat(s.path("user").asText()).isEqualTo("bob");
        assertThat(s.path("counter").asLong()).isEqualTo(1);
        assertThat(s.path("attributes").path("theme").asText()).isEqualTo("dark");
        assertThat(client.get("/api/cart").json().path("totalQuantity").asInt()).isEqualTo(2);
    }

    @Test
    void loginWithoutASessionCreatesOne() {
        TestHttp client = node.client();
        TestHttp.Reply r = client.post("/api/login", "{\"user\":\"carol\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.sessionCookie()).isPresent();
        assertThat(client.get("/api/session").json().path("user").asText()).isEqualTo("carol");
    }

    @Test
    void loggingInAgainChangesTheIdAgainAndSwitchesTheUser() {
        TestHttp client = node.client();
        client.post("/api/login", "{\"user\":\"dave\"}");
        String first = client.sessionId();
        client.post("/api/login", "{\"user\":\"erin\"}");
        String second = client.sessionId();
        assertThat(second).isNotEqualTo(first);
        assertThat(client.get("/api/session").json().path("user").asText()).isEqualTo("erin");
    }

    @Test
    void logoutEndsTheSessionAndItsIdFindsNothingAfterwards() {
        TestHttp client = node.client();
        client.post("/api/login", "{\"user\":\"frank\"}");
        client.post("/api/session/counter", null);
        String loggedInId = client.sessionId();

        TestHttp.Reply r = client.post("/api/logout", null);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertStamped(r, "t1");

        TestHttp replay = node.client();
        replay.sessionId(loggedInId);
        JsonNode seen = replay.get("/api/session").json();
        assertThat(seen.path("user").isNull()).isTrue();
        assertThat(seen.path("counter").asLong()).isZero();
        assertThat(replay.sessionId()).isNotEqualTo(loggedInId);
    }

    @Test
    void afterLogoutTheSameClientStartsAnonymousWithANewId() {
        TestHttp client = node.client();
        client.post("/api/login", "{\"user\":\"gina\"}");
        String loggedInId = client.sessionId();
        client.post("/api/logout", null);

        JsonNode s = client.get("/api/session").json();
        assertThat(client.sessionId()).isNotEqualTo(loggedInId);
        assertThat(s.path("new").asBoolean()).isTrue();
        assertThat(s.path("user").isNull()).isTrue();
    }

    @Test
    void logoutWithoutASessionIsA204AndCreatesNone() {
        TestHttp client = node.client();
        TestHttp.Reply r = client.post("/api/logout", null);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.setCookies()).isEmpty();
    }

    @ParameterizedTest(name = "user ''{0}''")
    @ValueSource(strings = {"", "a b", "<script>", "x;y", "ünïcode"})
    void anInvalidUserNameIsA400AndNeitherLogsInNorChangesTheId(String user) {
        TestHttp client = withSession();
        JsonNode before = state(client);

        TestHttp.Reply r = client.post("/api/login", "{\"user\":\"" + user + "\"}");

        assertError(r, 400, "bad_request", "t1");
        assertThat(r.setCookies()).isEmpty();
        assertThat(state(client)).isEqualTo(before);
    }

    @Test
    void aUserNameOf65CharactersIsTooLong() {
        TestHttp client = withSession();
        assertError(client.post("/api/login", "{\"user\":\"" + "u".repeat(65) + "\"}"), 400, "bad_request", "t1");
        assertThat(client.post("/api/login", "{\"user\":\"" + "u".repeat(64) + "\"}").status()).isEqualTo(200);
    }
}
