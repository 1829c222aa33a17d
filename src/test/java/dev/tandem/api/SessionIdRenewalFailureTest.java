package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.session.SessionLayer;
import dev.tandem.testing.CacheFaults;
import dev.tandem.testing.InJvmCluster;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import dev.tandem.testing.history.SessionWorkload;
import java.util.function.Predicate;
import org.infinispan.Cache;
import org.junit.jupiter.api.Test;

/**
 * A login gives the session a new id (no fixation), which the cluster must take: a lock under the
 * new id, the session stored under it. When it cannot, the login is refused (503) and the user's
 * session is as it was, still reached by the cookie the client holds. Jetty logs a failed renewal
 * and carries on under the new id: the login answered 200, or 503 after the old entry was already
 * removed, either way with a cookie for a session nobody stored. The cluster's refusal is made by
 * a listener that refuses new entries.
 */
class SessionIdRenewalFailureTest {
    @Test
    void aLoginWhoseNewIdCannotBeLockedIsRefusedAndTheSessionStaysAsItWas() {
        try (RunningNode node = RunningNode.standalone("rn1")) {
            TestHttp user = userWithOneWrite(node);
            String oldKey = SessionWorkload.clusterId(user.sessionId());
            Cache<String, String> locks = InJvmCluster.manager(node).getCache(SessionLayer.LOCK_CACHE);
            // Every lock but the session's own: the new id's.
            refuseLoginWhileCreating(node, user, locks, key -> !key.equals(oldKey) && !key.toString().startsWith("wanted:"));
        }
    }

    @Test
    void aLoginWhoseNewIdCannotBeStoredIsRefusedAndTheSessionStaysAsItWas() {
        try (RunningNode node = RunningNode.standalone("rn2")) {
            // The only entry a login creates in the session cache is the session under its new id.
            refuseLoginWhileCreating(node, userWithOneWrite(node), node.node().cluster().cache(), key -> true);
        }
    }

    private static TestHttp userWithOneWrite(RunningNode node) {
        TestHttp user = node.client();
        assertThat(user.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(1);
        return user;
    }

    private static void refuseLoginWhileCreating(RunningNode node, TestHttp user, Cache<?, ?> cache, Predicate<Object> refused) {
        String before = user.sessionId();
        TestHttp.Reply login = CacheFaults.during(cache, new CacheFaults.RefuseCreating(refused),
                () -> user.post("/api/login", "{\"user\":\"ann\"}"));
        assertError(login, 503, "session_unavailable", node.name());
        assertThat(user.sessionId()).as("the client keeps its session's cookie").isEqualTo(before);
        TestHttp.Reply next = user.post("/api/session/counter", null);
        assertThat(next.json().path("value").asLong()).as("the session as it was: %s", next.body()).isEqualTo(2);
        assertThat(user.sessionId()).isEqualTo(before);
        TestHttp.Reply session = user.get("/api/session");
        assertThat(session.json().path("user").isTextual()).as("nobody logged in: %s", session.body()).isFalse();
        assertThat(session.json().path("counter").asLong()).isEqualTo(2);
    }
}
