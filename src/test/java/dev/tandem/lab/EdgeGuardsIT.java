package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.util.IO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The VIP as an outsider meets it: forged forwarding headers, operator endpoints, the stats page's
 * admin actions, HAProxy's own error answers. A real HAProxy (the template, default limits) in front
 * of a real node, and a second one in front of a header echo that shows exactly what is forwarded.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeGuardsIT {
    private static final String NET = "127.0.63";
    private static final String FORGED_IP = "203.0.113.7";
    /** Every header a client could send to pass for a proxy: Jetty's ForwardedRequestCustomizer's and others'. */
    private static final List<String> FORGED = List.of(
            "Forwarded: for=" + FORGED_IP + ";proto=https;host=evil.example",
            "X-Forwarded-For: " + FORGED_IP, "X-Forwarded-Proto: https", "x-FORWARDED-proto: https",
            "X-Forwarded-Host: evil.example", "X-Forwarded-Port: 443", "X-Forwarded-Server: evil.example",
            "X-Forwarded-Prefix: /evil", "X-Forwarded-Ssl: on", "X-Forwarded-Scheme: https", "X_Forwarded_For: " + FORGED_IP,
            "X-Proxied-Https: on", "Proxy-Ssl-Id: evil0123", "Proxy-auth-cert: evil-cert", "Proxy: http://" + FORGED_IP + ":3128",
            "X-Real-IP: " + FORGED_IP, "X-Client-IP: " + FORGED_IP, "True-Client-IP: " + FORGED_IP,
            "CF-Connecting-IP: " + FORGED_IP, "Fastly-Client-IP: " + FORGED_IP, "X-Cluster-Client-IP: " + FORGED_IP,
            "X-Originating-IP: " + FORGED_IP, "X-Remote-Addr: " + FORGED_IP, "X-Remote-IP: " + FORGED_IP,
            "Client-IP: " + FORGED_IP, "Front-End-Https: on", "X-Url-Scheme: https", "X-Scheme: https", "X-Https: on",
            "X-Ssl-Client-Cert: evil-cert", "Ssl-Client-Cert: evil-cert", "X-Client-Cert: evil-cert",
            "X-Original-URL: /admin/drain", "X-Rewrite-URL: /admin/drain", "X-Request-Id: evil-request-id-0001");

    @RegisterExtension
    static final OneNodeEdge LAB = new OneNodeEdge(NET);
    private static Path dir;
    private static URI n1;
    private static Edge edge;
    private static HeaderEcho echo;
    private static Edge echoEdge;

    @BeforeAll
    static void start() throws Exception {
        n1 = LAB.node();
        edge = LAB.edge();
        dir = Files.createTempDirectory(Path.of("/tmp"), "tgrd");
        echo = new HeaderEcho(NET + ".12");
        echoEdge = new Edge(dir, NET + ".20", Map.of("n1", echo.address()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {echoEdge, echo}) {
            if (c != null) {
                c.close();
            }
        }
        if (dir != null) {
            IO.delete(dir);
        }
    }

    @Test
    @Order(1)
    void forgedForwardingHeadersNeverReachTheNodeWhichSeesTheRealClientAddressAndPlainHttp() {
        String client = NET + ".101";
        JsonNode seen = RawHttp.request(client, echoEdge.vip, "GET", "/api/session", FORGED.toArray(String[]::new)).json();
        JsonNode headers = seen.get("headers");
        Set<String> names = new TreeSet<>();
        headers.fieldNames().forEachRemaining(names::add);
        assertThat(names).as("headers the node received").isSubsetOf(
                "host", "x-forwarded-for", "x-forwarded-proto", "x-request-id", "connection", "content-length");
        assertThat(headers.get("x-forwarded-for").size()).as("one X-Forwarded-For").isEqualTo(1);
        assertThat(headers.get("x-forwarded-for").get(0).asText()).isEqualTo(client);
        assertThat(headers.get("x-forwarded-proto").size()).isEqualTo(1);
        assertThat(headers.get("x-forwarded-proto").get(0).asText()).isEqualTo("http");
        assertThat(headers.get("x-request-id").get(0).asText()).isNotEqualTo("evil-request-id-0001");
        assertThat(headers.toString()).doesNotContain(FORGED_IP).doesNotContain("evil").doesNotContain("https");
    }

    @Test
    @Order(2)
    void forgedSchemeHeadersThroughTheVipNeverYieldASecureCookieWhileATrustedProxySayingHttpsDoes() {
        String client = NET + ".102";
        List<String> attempts = new ArrayList<>(FORGED.stream().filter(h -> h.matches("(?i)(forwarded|x-forwarded-(proto|ssl|port|scheme)"
                + "|x-proxied-https|proxy-ssl-id|proxy-auth-cert|front-end-https|x-url-scheme|x-scheme|x-https):.*")).toList());
        assertThat(attempts).hasSizeGreaterThanOrEqualTo(10);
        attempts.add(String.join("\r\n", FORGED));
        for (String forged : attempts) {
            RawHttp.Reply r = RawHttp.request(client, edge.vip, "GET", "/api/session", forged);
            assertThat(r.status()).as(forged).isEqualTo(200);
            assertThat(r.sessionCookie()).as(forged).isNotNull().doesNotContainIgnoringCase("secure");
        }
        // The check can see the flag: the node's trusted proxies (loopback) may still say https.
        RawHttp.Reply direct = RawHttp.request(NET + ".102", n1, "GET", "/api/session", "X-Forwarded-Proto: https");
        assertThat(direct.sessionCookie()).as("a trusted proxy saying https").containsIgnoringCase("; secure");
    }

    @Test
    @Order(3)
    void operatorEndpointsAreRefusedThroughTheVipWhateverTheEncodingAndNeverForwarded() {
        String client = NET + ".103";
        long forwardedBefore = edge.forwarded("n1");
        List<String> refused = List.of("/metrics", "/metrics/", "/metrics/jvm", "/metrics?x=1", "/METRICS", "//metrics",
                "/%6detrics", "/%6Detrics", "/metrics;x=1", "/metrics.txt", "/admin/drain", "/Admin/drain", "//admin/drain",
                "/%61dmin/drain", "/admin;x/drain", "/admin%2fdrain", "/admin%2Fdrain", "/%2fadmin/drain");
        for (String path : refused) {
            for (String method : List.of("GET", "POST")) {
                RawHttp.Reply r = RawHttp.request(client, edge.vip, method, path, "Cookie: JSESSIONID=marker-cookie-4711");
                assertThat(r.status()).as(method + " " + path).isEqualTo(403);
                assertThat(r.header("Content-Type")).as(method + " " + path).isEqualTo("application/json");
                assertThat(r.json().get("error").asText()).isEqualTo("forbidden");
                assertThat(r.body()).doesNotContain("marker-cookie-4711");
            }
        }
        for (String path : List.of("/x/../metrics", "/%2e%2e/admin/drain", "/api/%2E%2E/metrics", "/./admin/drain", "/api/..;/metrics")) {
            RawHttp.Reply r = RawHttp.request(client, edge.vip, "POST", path);
            assertThat(r.status()).as("POST " + path).isEqualTo(400);
            assertThat(r.json().get("error").asText()).isEqualTo("bad_request");
        }
        RawHttp.Reply absolute = RawHttp.request(client, edge.vip, "GET", "http://" + edge.vip.getAuthority() + "/metrics");
        assertThat(absolute.status()).as("absolute-form request").isEqualTo(403);
        assertThat(edge.forwarded("n1")).as("requests the node saw").isEqualTo(forwardedBefore);

        RawHttp.Reply metrics = RawHttp.request(client, n1, "GET", "/metrics");
        assertThat(metrics.status()).as("/metrics on the node's own address").isEqualTo(200);
        assertThat(metrics.body()).contains("tandem_sessions_active");
    }

    @Test
    @Order(4)
    void theStatsPageIsReadOnlyBehindCredentialsAndRefusesAdminPostsEvenWithThem() {
        String client = NET + ".104";
        String auth = "Authorization: Basic " + Base64.getEncoder()
                .encodeToString((Edge.STATS_USER + ":" + edge.statsPassword).getBytes(StandardCharsets.UTF_8));
        RawHttp.Reply anonymous = RawHttp.request(client, edge.stats, "GET", "/", "Cookie: JSESSIONID=marker-cookie-4712");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Basic");
        assertThat(anonymous.body()).doesNotContain("marker-cookie-4712");
        RawHttp.Reply page = RawHttp.request(client, edge.stats, "GET", "/", auth);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("tandem");

        // What a cross-site form would send with the operator's remembered credentials.
        for (String action : List.of("maint", "drain", "shutdown")) {
            RawHttp.Reply r = RawHttp.send(client, edge.stats, "POST", "/", "s=n1&action=" + action + "&b=tandem",
                    auth, "Content-Type: application/x-www-form-urlencoded", "Origin: https://evil.example");
            assertThat(r.status()).as("admin POST " + action).isEqualTo(405);
            RawHttp.Reply viaVip = RawHttp.send(client, edge.vip, "POST", "/lab/haproxy", "s=n1&action=" + action + "&b=tandem",
                    "Content-Type: application/x-www-form-urlencoded", "Origin: https://evil.example");
            assertThat(viaVip.status()).as("admin POST " + action + " to the VIP's read-only page").isEqualTo(405);
        }
        assertThat(edge.runtime.status("n1")).as("n1 after the POSTs").isEqualTo("UP");
        assertThat(RawHttp.request(client, edge.vip, "GET", "/lab/haproxy;csv").status()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void errorAnswersHaproxyMakesItselfCarryNothingFromTheRequest() {
        String client = NET + ".105";
        String marker = "marker-cookie-4713";
        String host = "Host: " + edge.vip.getAuthority() + "\r\n";
        List<String> malformed = List.of(
                "GET /api/session HTTP/1.1\r\n" + host + "Cookie: JSESSIONID=" + marker + "\r\nBad Header: x\r\n\r\n",
                "GET /api/\u0001session HTTP/1.1\r\n" + host + "Cookie: JSESSIONID=" + marker + "\r\n\r\n",
                "POST /api/session/counter HTTP/1.1\r\n" + host + "Cookie: JSESSIONID=" + marker + "\r\nContent-Length: x\r\n\r\n",
                "GET /api/session HTTP/1.1\r\n" + host + "Cookie: JSESSIONID=" + marker + "x".repeat(20_000) + "\r\n\r\n");
        for (String request : malformed) {
            RawHttp.Reply r = RawHttp.exchange(client, edge.vip, request.getBytes(StandardCharsets.ISO_8859_1));
            String what = request.substring(0, Math.min(60, request.length())).replace("\r\n", " | ");
            assertThat(r.status()).as(what).isEqualTo(400);
            assertThat(r.body()).as(what).doesNotContain(marker).doesNotContain("JSESSIONID").doesNotContain("Bad Header");
            assertThat(String.join("\n", r.headers().toString())).as(what).doesNotContain(marker);
        }
    }

    @Test
    @Order(6)
    void drainIsRefusedThroughTheVipAndAcceptedOnTheNodesOwnAddress() {
        RawHttp.Reply viaVip = RawHttp.request(NET + ".106", edge.vip, "POST", "/admin/drain");
        assertThat(viaVip.status()).isEqualTo(403);
        assertThat(RawHttp.request(NET + ".106", n1, "GET", "/health/ready").status()).as("n1 still ready").isEqualTo(200);
        RawHttp.Reply direct = RawHttp.request("127.0.0.1", n1, "POST", "/admin/drain");
        assertThat(direct.status()).as("POST /admin/drain on the node's own address").isEqualTo(202);
    }
}
