package dev.tandem.api;

import static dev.tandem.testing.ApiChecks.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.session.SessionLayer;
import dev.tandem.testing.CacheFaults;
import dev.tandem.testing.InJvmCluster;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import dev.tandem.testing.history.SessionWorkload;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.infinispan.Cache;
import org.junit.jupiter.api.Test;

/**
 * A session read that fails in a way the session layer did not foresee is answered 503, as every
 * failure it foresees is. Here: while a request waits for a lock another node holds, reading the
 * lock's replica fails (as reading an expired entry does in a minority partition, where its removal
 * is refused; a listener of the test makes every read of it fail here). Jetty takes any failure
 * of a session read for "no such session" and makes a new one in its place: under the same id
 * when it finds that id stored (refused later, by the store or by the same failure: a 500 here),
 * under a fresh id, handing out an empty session, when it cannot tell.
 */
class SessionReadFailureTest {
    @Test
    void aWriteWhoseSessionCannotBeReadIsRefusedAndNoNewSessionIsMade() {
        refusedWithoutANewSession("rf1", user -> user.post("/api/session/counter", null));
    }

    @Test
    void aReadWhoseSessionCannotBeReadIsRefusedAndNoNewSessionIsMade() {
        refusedWithoutANewSession("rf2", user -> user.get("/api/session"));
    }

    @Test
    void aRefusalTellsTheClientWhyWithoutTheClustersOwnFailure() {
        try (RunningNode node = RunningNode.standalone("rf3")) {
            TestHttp user = node.client();
            assertThat(user.post("/api/session/counter", null).status()).isEqualTo(200);
            String key = SessionWorkload.clusterId(user.sessionId());
            Cache<String, String> locks = InJvmCluster.manager(node).getCache(SessionLayer.LOCK_CACHE);
            Awaitility.await("the lock kept for a next request given back").atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(10)).until(() -> !locks.containsKey(key));
            TestHttp.Reply refused = CacheFaults.during(locks, new CacheFaults.RefuseCreating(key::equals),
                    () -> user.post("/api/session/counter", null));
            // No exception, class or cache names (assertError); the reason in the session layer's words.
            assertThat(assertError(refused, 503, "session_unavailable", "rf3").path("message").asText())
                    .contains("cannot lock the session");
            assertThat(user.post("/api/session/counter", null).json().path("value").asLong())
                    .as("the refused write changed nothing").isEqualTo(2);
        }
    }

    private static void refusedWithoutANewSession(String name, Function<TestHttp, TestHttp.Reply> request) {
        try (RunningNode node = RunningNode.standalone(name)) {
            TestHttp user = node.client();
            assertThat(user.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(1);
            String session = user.sessionId();
            String key = SessionWorkload.clusterId(session);
            Cache<String, String> locks = InJvmCluster.manager(node).getCache(SessionLayer.LOCK_CACHE);
            // Another node holds the session's lock: the request waits, looking at the lock's replica.
            locks.put(key, "elsewhere|run|1");
            CompletableFuture<TestHttp.Reply> reply = CompletableFuture.supplyAsync(() -> request.apply(user));
            Awaitility.await("the request asks for the lock").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
                    .until(() -> locks.containsKey("wanted:" + key));
            TestHttp.Reply refused = CacheFaults.during(locks, new CacheFaults.FailReads(key), reply::join);
            // Refused for the read's failure itself, not only later by the store, when Jetty tries a new
            // session under the same id (it takes a fresh id when its own check of the old one fails).
            assertThat(assertError(refused, 503, "session_unavailable", name).path("message").asText())
                    .contains("an unexpected failure, logged on the node");
            assertThat(refused.setCookies()).as("no new session handed out").isEmpty();
            assertThat(user.sessionId()).isEqualTo(session);
            assertThat(List.copyOf(node.node().cluster().cache().keySet())).as("sessions stored").singleElement()
                    .asString().endsWith(key);
        }
    }
}
