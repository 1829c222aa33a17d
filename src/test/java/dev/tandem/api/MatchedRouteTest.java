package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.glassfish.jersey.uri.UriTemplate;
import org.junit.jupiter.api.Test;

/** The route tag: Jersey's matched templates joined outermost first, built once per route. */
class MatchedRouteTest {
    private final MatchedRoute routes = new MatchedRoute();

    @Test
    void theTagJoinsTheMatchedTemplatesOutermostFirst() {
        assertThat(routes.route(List.of(new UriTemplate("attributes/{name}"), new UriTemplate("/api/session"))))
                .isEqualTo("/api/session/attributes/{name}");
        assertThat(routes.route(List.of(new UriTemplate("/"), new UriTemplate("/api/node/")))).isEqualTo("/api/node");
    }

    @Test
    void equalTemplatesFromAnotherRequestGetTheSameTagAndTheRequestsListIsNotKept() {
        List<UriTemplate> first = new ArrayList<>(List.of(new UriTemplate("{room}/messages"), new UriTemplate("/api/rooms")));
        String tag = routes.route(first);
        first.clear(); // Jersey may reuse or drop its list after the request
        assertThat(routes.route(List.of(new UriTemplate("{room}/messages"), new UriTemplate("/api/rooms"))))
                .isSameAs(tag).isEqualTo("/api/rooms/{room}/messages");
        assertThat(routes.route(List.of(new UriTemplate("/api/cart")))).isEqualTo("/api/cart");
    }
}
