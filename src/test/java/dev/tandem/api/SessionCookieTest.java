package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertNoLeak;
import static dev.tandem.testing.ApiChecks.raw;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.NodeConfig;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.util.InetAddressSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SessionCookieTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    /** The attributes of the one JSESSIONID Set-Cookie, lower-cased and trimmed ("httponly", "samesite=lax", ...). */
    private static List<String> cookieAttributes(TestHttp.Reply r) {
        List<String> cookies = r.setCookies().stream().filter(c -> c.startsWith("JSESSIONID=")).toList();
        assertThat(cookies).as("exactly one session cookie in %s", r.headers().map()).hasSize(1);
        String[] parts = cookies.get(0).split(";");
        return Arrays.stream(parts).skip(1).map(p -> p.trim().toLowerCase(Locale.ROOT)).toList();
    }

    @Test
    void theSessionCookieIsHttpOnlySameSiteLaxForTheWholeSiteAndNotSecureOverPlainHttp() {
        TestHttp.Reply r = node.client().get("/api/session");

        List<String> attributes = cookieAttributes(r);
        assertThat(attributes).contains("httponly", "samesite=lax", "path=/");
        assertThat(attributes).noneMatch(a -> a.equals("secure"));
        assertThat(attributes).noneMatch(a -> a.startsWith("domain="));
    }

    @Test
    void theCookieValueIsARandomIdWithTheNodeSuffixAndItPassesTheNodesOwnGuard() {
        TestHttp client = node.client();
        TestHttp.Reply r = client.get("/api/session");
        String id = r.sessionCookie().orElseThrow();
        assertThat(id).matches("[A-Za-z0-9_-]{24}\\.t1").matches("[A-Za-z0-9_-]{1,128}\\.t1");
        assertThat(client.get("/api/cart").status()).isEqualTo(200);
    }

    @Test
    void sessionIdsFromTheNodeAreRandomAsAWholeAndKeepTheNodeSuffix() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 150; i++) {
            TestHttp client = node.client();
            ids.add(client.get("/api/session").sessionCookie().orElseThrow());
            client.post("/api/login", "{\"user\":\"u" + i + "\"}");
            ids.add(client.sessionId()); // the id a login renews to
        }
        assertThat(ids).allMatch(id -> id.matches("[A-Za-z0-9_-]{24}\\.t1")).doesNotHaveDuplicates();
        java.util.Set<Character> first = new java.util.HashSet<>();
        java.util.Set<Character> last = new java.util.HashSet<>();
        for (String id : ids) {
            first.add(id.charAt(0));
            last.add(id.charAt(23));
        }
        // 300 draws from 64 characters see about 63 of them; a counter or a node prefix sees a few.
        assertThat(first).as("first characters").hasSizeGreaterThan(50);
        assertThat(last).as("last characters before the suffix").hasSizeGreaterThan(50);
    }

    @Test
    void sessionAnswersAreNeverStoredByCaches() {
        TestHttp client = node.client();
        for (TestHttp.Reply r : List.of(client.get("/api/session"), client.post("/api/login", "{\"user\":\"ann\"}"),
                client.post("/api/session/counter", null), client.get("/api/cart"), client.get("/api/nope"))) {
            assertThat(r.headers().allValues("Cache-Control")).as("Cache-Control of %s %s", r.status(), r.body())
                    .containsExactly("no-store");
        }
        assertThat(client.get("/").headers().allValues("Cache-Control")).as("the page sets its own").containsExactly("no-cache");
    }

    @Test
    void theCookieLivesAsLongAsTheBrowserSessionWithNoExpiryOfItsOwn() {
        List<String> attributes = cookieAttributes(node.client().get("/api/session"));
        assertThat(attributes).noneMatch(a -> a.startsWith("max-age=") || a.startsWith("expires="));
    }

    @Test
    void theCookieIsSentWhenTheSessionIsCreatedOrItsIdChangesAndNotOnEveryResponse() {
        TestHttp client = node.client();
        assertThat(client.get("/api/session").sessionCookie()).isPresent();
        assertThat(client.post("/api/session/counter", null).setCookies()).isEmpty();
        assertThat(client.put("/api/session/attributes/a", "1").setCookies()).isEmpty();
        assertThat(client.post("/api/login", "{\"user\":\"ann\"}").sessionCookie()).isPresent();
        assertThat(client.get("/api/session").setCookies()).isEmpty();
    }

    @Test
    void theCookieIsSecureWhenATrustedProxySaysTheClientUsedHttps() {
        TestHttp.Reply xfp = raw(node.uri(), null, "GET", "/api/session", null, "X-Forwarded-Proto", "https");
        assertThat(cookieAttributes(xfp)).contains("secure", "httponly", "samesite=lax", "path=/");

    }

    @Test
    void evenATrustedProxyCannotClaimHttpsThroughHeadersTheBalancerNeverSets() {
        String[][] claims = {{"Forwarded", "for=203.0.113.9;proto=https"}, {"X-Proxied-Https", "on"},
            {"Proxy-Ssl-Id", "abc"}, {"Proxy-auth-cert", "TLS_AES_128_GCM_SHA256"}, {"X-Forwarded-Port", "443"}};
        for (String[] claim : claims) {
            TestHttp.Reply r = raw(node.uri(), null, "GET", "/api/session", null, claim[0], claim[1]);
            assertThat(cookieAttributes(r)).as(claim[0]).contains("httponly").doesNotContain("secure");
        }
    }

    @Test
    void evenATrustedProxyIsBelievedOnlyForTheSchemeNotForJettysOtherHttpsHeaders() {
        for (String[] claim : List.of(new String[] {"X-Proxied-Https", "on"}, new String[] {"Proxy-Ssl-Id", "abc"},
                new String[] {"Proxy-auth-cert", "abc"}, new String[] {"X-Forwarded-Port", "443"},
                new String[] {"X-Forwarded-Host", "shop.example:443"}, new String[] {"X-Forwarded-Server", "shop.example"})) {
            TestHttp.Reply r = raw(node.uri(), null, "GET", "/api/session", null, claim);
            assertThat(cookieAttributes(r)).as(claim[0]).doesNotContain("secure");
        }
        // X-Forwarded-Host is not believed either: the Origin check compares with the real Host.
        int port = node.uri().getPort();
        assertThat(raw(node.uri(), null, "POST", "/api/session/counter", null, "X-Forwarded-Host", "evil.example",
                "Origin", "http://evil.example").status()).isEqualTo(403);
        assertThat(raw(node.uri(), null, "POST", "/api/session/counter", null, "X-Forwarded-Host", "evil.example",
                "Origin", "http://127.0.0.1:" + port).status()).isEqualTo(200);
    }

    @Test
    void aLoginBehindAnHttpsProxyGetsASecureCookieForItsNewId() {
        TestHttp client = node.client();
        client.get("/api/session");
        TestHttp.Reply r = raw(client, "POST", "/api/login", "{\"user\":\"ann\"}",
                "Content-Type", "application/json", "X-Forwarded-Proto", "https");
        assertThat(r.status()).isEqualTo(200);
        assertThat(cookieAttributes(r)).contains("secure", "httponly");
    }

    @Test
    void aClientThatIsNotATrustedProxyCannotClaimHttpsForASecureCookie() {
        NodeConfig base = NodeConfig.standalone("t2");
        InetAddressSet tenDot = new InetAddressSet();
        tenDot.add("10.0.0.0/8");
        NodeConfig onlyTenDot = new NodeConfig(base.host(), base.port(), base.node(), base.peers(), base.clusterHost(),
                base.clusterPort(), base.clusterName(), base.sessionTimeout(), base.drainTime(), base.stopTimeout(),
                tenDot, base.sessionClasses(), base.transportSecurity(), base.overload(), base.sessionLimits(), base.warmup(),
                base.eventsWriteTimeout());

        try (RunningNode t2 = RunningNode.start(onlyTenDot)) {
            TestHttp.Reply r = raw(t2.uri(), null, "GET", "/api/session", null, "X-Forwarded-Proto", "https");

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.node()).isEqualTo("t2");
            assertThat(r.sessionCookie()).isPresent().get().asString().endsWith(".t2");
            List<String> attributes = cookieAttributes(r);
            assertThat(attributes).contains("httponly", "samesite=lax", "path=/");
            assertThat(attributes).noneMatch(a -> a.equals("secure"));
        }
    }

    @Test
    void aSessionIdInTheUrlIsIgnoredNotAdopted() {
        TestHttp.Reply r = raw(node.uri(), null, "GET", "/api/session;jsessionid=t1planted0123.t1", null);

        assertThat(r.status()).isLessThan(500);
        if (r.status() == 200) {
            assertThat(r.sessionCookie()).isPresent().get().isNotEqualTo("t1planted0123.t1");
            assertThat(r.json().path("new").asBoolean()).isTrue();
        }
        assertThat(r.header("Location")).isNull();
        assertNoLeak(r);
    }

    @Test
    void noResponseEverPutsASessionIdIntoABodyOrLocation() {
        TestHttp client = node.client();
        List<java.util.function.Supplier<TestHttp.Reply>> requests = List.of(
                () -> client.get("/api/session"),
                () -> client.post("/api/session/counter", null),
                () -> client.put("/api/session/attributes/a", "1"),
                () -> client.post("/api/cart/items", "{\"sku\":\"apple\",\"qty\":1}"),
                () -> client.get("/api/cart"),
                () -> client.post("/api/login", "{\"user\":\"ann\"}"),
                () -> client.get("/api/session"),
                () -> client.get("/api/node"),
                () -> client.get("/api/nope"),
                () -> client.put("/api/session/attributes/b", "{"),
                () -> client.get("/health/ready"),
                () -> client.post("/api/logout", null));
        List<String> ids = new java.util.ArrayList<>();
        for (java.util.function.Supplier<TestHttp.Reply> request : requests) {
            TestHttp.Reply r = request.get();
            if (client.sessionId() != null && !ids.contains(client.sessionId())) {
                ids.add(client.sessionId());
            }
            assertNoLeak(r);
            assertThat(r.header("Location")).as("Location of %s", r.body()).isNull();
            for (String id : ids) {
                assertThat(r.body()).as("body of %s", r.status()).doesNotContain(id.substring(0, id.indexOf('.')));
            }
        }
        assertThat(ids).as("the id before and after login").hasSize(2);
    }

    @Test
    void aNotFoundForAUrlCarryingASessionIdDoesNotEchoTheIdBack() {
        TestHttp client = node.client();
        client.get("/api/session");
        for (String path : List.of("/nope;jsessionid=" + client.sessionId(), "/api/nope;jsessionid=abcdef")) {
            TestHttp.Reply r = raw(client, "GET", path, null);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).as("404 body for %s", path).doesNotContainIgnoringCase("jsessionid");
            assertThat(r.body()).doesNotContain(client.sessionId());
        }
    }
}
