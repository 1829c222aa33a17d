package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Session resources answer through a CompletionStage, and are measured with the status they sent. */
class AsyncSessionWorkTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    private static double metric(String scrape, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + " ([0-9.E+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void sessionRequestsAreMeasuredWithTheStatusTheySent() {
        TestHttp user = node.client();
        for (int i = 0; i < 5; i++) {
            assertThat(user.post("/api/session/counter", null).status()).isEqualTo(200);
        }
        assertThat(user.delete("/api/cart/items/absent").status()).isEqualTo(404);

        String scrape = node.client().get("/metrics").body();
        assertThat(metric(scrape, "http_server_requests_seconds_count\\{method=\"DELETE\",node=\"t1\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"/api/cart/items/\\{sku\\}\"\\}"))
                .as("an error raised in the session work is counted with its real status").isEqualTo(1);
        assertThat(metric(scrape, "http_server_requests_seconds_count\\{method=\"POST\",node=\"t1\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/session/counter\"\\}"))
                .isGreaterThanOrEqualTo(5);
    }
}
