package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.config.NodeConfig;
import dev.tandem.config.SessionLimits;
import dev.tandem.testing.CacheFaults;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import java.util.function.Function;
import org.infinispan.Cache;
import org.junit.jupiter.api.Test;

/**
 * Ending a session (a logout, {@code DELETE /api/session}) that the cluster does not take is
 * refused (503) and changes nothing: the user is still logged in, and the next try ends it. Jetty
 * logs a failed invalidation (three times over) and carries on, so the logout answered 204 while
 * the session, its login included, lived on for whoever holds its cookie; and a session past its
 * lifetime was answered "ended" (401, its cookie cleared) while it stayed stored. The cluster's
 * refusal is made by a listener that refuses every removal.
 */
class SessionEndFailureTest {
    @Test
    void aLogoutTheClusterDoesNotTakeIsRefusedAndTheUserStaysLoggedInUntilTheNextTry() {
        refusedThenEnded("re1", user -> user.post("/api/logout", null));
    }

    @Test
    void anEndOfTheSessionTheClusterDoesNotTakeIsRefusedAndTheSessionStaysUntilTheNextTry() {
        refusedThenEnded("re2", user -> user.delete("/api/session"));
    }

    @Test
    void aSessionPastItsLifetimeWhoseEndTheClusterDoesNotTakeIsRefusedNotReportedEnded() {
        Duration lifetime = Duration.ofSeconds(1);
        try (RunningNode node = RunningNode.start(NodeConfig.standalone("re3").withSessionLimits(new SessionLimits(lifetime, 1000)))) {
            TestHttp user = node.client();
            long created = System.currentTimeMillis();
            assertThat(user.post("/api/session/counter", null).status()).isEqualTo(200);
            await("the session's lifetime over").atMost(lifetime.plusSeconds(1)).pollInterval(Duration.ofMillis(50))
                    .until(() -> System.currentTimeMillis() - created > lifetime.toMillis() + 100);
            Cache<?, ?> sessions = node.node().cluster().cache();
            TestHttp.Reply refused = CacheFaults.during(sessions, new CacheFaults.RefuseRemoving(),
                    () -> user.post("/api/session/counter", null));
            assertError(refused, 503, "session_unavailable", "re3");
            assertThat(refused.setCookies()).as("the cookie is not cleared").isEmpty();
            assertError(user.post("/api/session/counter", null), 401, "session_expired", "re3");
        }
    }

    private static void refusedThenEnded(String name, Function<TestHttp, TestHttp.Reply> end) {
        try (RunningNode node = RunningNode.standalone(name)) {
            TestHttp user = node.client();
            assertThat(user.post("/api/login", "{\"user\":\"ann\"}").status()).isEqualTo(200);
            Cache<?, ?> sessions = node.node().cluster().cache();
            TestHttp.Reply refused = CacheFaults.during(sessions, new CacheFaults.RefuseRemoving(), () -> end.apply(user));
            assertError(refused, 503, "session_unavailable", name);
            TestHttp.Reply still = user.get("/api/session");
            assertThat(still.json().path("user").asText()).as("the refused end changed nothing: %s", still.body()).isEqualTo("ann");

            assertThat(end.apply(user).status()).as("the next try").isEqualTo(204);
            TestHttp.Reply after = user.get("/api/session");
            assertThat(after.json().path("user").isTextual()).as("ended: %s", after.body()).isFalse();
            assertThat(after.json().path("new").asBoolean()).as("a new session").isTrue();
        }
    }
}
