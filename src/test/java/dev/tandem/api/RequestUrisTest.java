package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.UriBuilder;
import java.net.URI;
import java.util.List;
import java.util.SplittableRandom;
import org.glassfish.jersey.server.internal.ContainerUtils;
import org.glassfish.jersey.uri.UriComponent;
import org.junit.jupiter.api.Test;

class RequestUrisTest {
    private static final List<String> ORIGINS = List.of("http://localhost:8080", "http://127.0.44.1:8080",
            "http://[::1]:8080", "https://Example.COM", "http://tandem.test", "http://host_name:80",
            "http://a]b:80", "http://[::1", "http://x:8080:9");
    /** Every printable ASCII character, a few escapes, and a character outside ASCII. */
    private static final String ALPHABET = "!\"#$&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~é %%%";

    @Test
    void theUrisAreTheOnesJerseyWouldBuildWheneverTheQuickWayIsTaken() {
        SplittableRandom random = new SplittableRandom(16);
        RequestUris uris = new RequestUris();
        int quick = 0;
        int cases = 0;
        for (String origin : ORIGINS) {
            for (int i = 0; i < 3_000; i++) {
                String path = "/" + randomText(random, 12);
                String query = random.nextInt(4) == 0 ? null : randomText(random, 10);
                String basePath = random.nextInt(8) == 0 ? "/api/" + randomText(random, 3) + "/" : "/";
                cases++;
                RequestUris.Pair ours = uris.of(origin + path, path, query, basePath);
                if (ours == null) {
                    continue;
                }
                quick++;
                RequestUris.Pair theirs = jersey(origin + path, path, query, basePath);
                assertThat(ours.request()).as("request URI of %s%s?%s", origin, path, query).isEqualTo(theirs.request());
                assertThat(ours.request().toString()).isEqualTo(theirs.request().toString());
                assertThat(ours.base()).as("base URI of %s%s", origin, basePath).isEqualTo(theirs.base());
                assertThat(ours.base().toString()).isEqualTo(theirs.base().toString());
            }
        }
        // Random text rarely avoids every character that needs escaping: a floor, not a rate.
        assertThat(quick).as("quick cases of %d", cases).isGreaterThan(1_000);
    }

    @Test
    void theApisOwnRequestsTakeTheQuickWay() {
        RequestUris uris = new RequestUris();
        for (String[] r : List.of(
                new String[] {"http://127.0.44.1:8080/api/node", "/api/node", null},
                new String[] {"http://localhost:8080/api/session/attributes/a%20b", "/api/session/attributes/a%20b", ""},
                new String[] {"http://[::1]:8080/api/events/room-1", "/api/events/room-1", "after=12-3&wait=25"},
                new String[] {"https://tandem.test/api/cart/items/7", "/api/cart/items/7", "x=%7B%7D"})) {
            RequestUris.Pair ours = uris.of(r[0], r[1], r[2], "/");
            assertThat(ours).as(r[0]).isNotNull();
            assertThat(ours).isEqualTo(jersey(r[0], r[1], r[2], "/"));
        }
    }

    @Test
    void aUrlThatNeedsEscapingIsLeftToJersey() {
        RequestUris uris = new RequestUris();
        assertThat(uris.of("http://h/a|b", "/a|b", null, "/")).isNull();
        assertThat(uris.of("http://h/caf\u00e9", "/caf\u00e9", null, "/")).isNull();
        assertThat(uris.of("http://h/a", "/a", "q={x}", "/")).isNull();
        assertThat(uris.of("http://h/a%2", "/a%2", null, "/")).isNull();
        assertThat(uris.of("http://h/a", "/a", null, "/50%/")).isNull();
    }

    @Test
    void theBaseUriFollowsTheRequestsHost() {
        RequestUris uris = new RequestUris();
        assertThat(uris.of("http://a:1/x", "/x", null, "/").base()).hasToString("http://a:1/");
        assertThat(uris.of("http://b:2/x", "/x", null, "/").base()).hasToString("http://b:2/");
        assertThat(uris.of("http://b:2/x", "/x", null, "/api/").base()).hasToString("http://b:2/api/");
    }

    /** Jersey 3.1's {@code ServletContainer.service(HttpServletRequest, HttpServletResponse)}, step by step. */
    private static RequestUris.Pair jersey(String requestUrl, String requestUri, String query, String basePath) {
        UriBuilder absolute = UriBuilder.fromUri(requestUrl);
        URI base = absolute.replacePath(UriComponent.encode(basePath, UriComponent.Type.PATH)).build();
        String encodedQuery = ContainerUtils.encodeUnsafeCharacters(query);
        URI request = absolute.replacePath(requestUri).replaceQuery(encodedQuery == null ? "" : encodedQuery).build();
        return new RequestUris.Pair(base, request);
    }

    private static String randomText(SplittableRandom random, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            if (c == '%' && random.nextBoolean()) {
                s.append('%').append("0123456789abcdefABCDEFgz".charAt(random.nextInt(24)))
                        .append("0123456789abcdefABCDEF".charAt(random.nextInt(22)));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}
