package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.session.SessionLayer;
import dev.tandem.testing.BesideOtherTests;
import dev.tandem.testing.CacheFaults;
import dev.tandem.testing.InJvmCluster;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import dev.tandem.testing.history.SessionWorkload;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A login or a logout on b while c stops answering halfway through it: c is cut off (JGroups
 * DISCARD in its own stack) in the middle of one of the request's cluster writes, so that write
 * may reach some members and not others, and every write after it waits for c until c is out of
 * the view. The session's entry is decided by c (its primary owner), the hardest case for its
 * removal. The answer may be a success or a 503, but once c is out of the view a and b must serve
 * the user one and the same session, reached by the cookie the client holds, with every write
 * acknowledged before; never an empty session standing in for it, nor a second copy under the
 * other id. Real nodes in this JVM.
 *
 * <p>Mostly waiting (the write's remote timeout, then the cut peer's failure detection).
 */
@BesideOtherTests
class CutOffLoginTest {
    private static final Logger LOG = LoggerFactory.getLogger(CutOffLoginTest.class);
    private final InJvmCluster cluster = new InJvmCluster(3);

    @AfterEach
    void stopAll() {
        cluster.close();
    }

    /** The write of a login that c stops answering in the middle of. */
    enum LoginCut {
        /** The login's event on the session's channel (published once the session is stored), as b applies it. */
        ITS_EVENT,
        /** The lock under the new id, as b applies it. */
        THE_NEW_IDS_LOCK,
        /** The session stored under the new id, as b applies it. */
        THE_SESSION_UNDER_ITS_NEW_ID,
        /**
         * The old id's entry removed once the session is stored under the new one, as c is about to
         * apply it: it reaches no other member. The user's write follows.
         */
        THE_OLD_IDS_REMOVAL
    }

    @ParameterizedTest
    @EnumSource(LoginCut.class)
    void aLoginThatAPeerStopsAnsweringHalfwayLeavesTheUserOneSessionWithEverythingAcknowledged(LoginCut at) {
        // Names no other test uses (BesideOtherTests), nor another case of this one (they run at once too).
        String prefix = "l" + at.ordinal();
        List<RunningNode> nodes = cluster.startAll(prefix + "a", prefix + "b", prefix + "c");
        RunningNode a = nodes.get(0);
        RunningNode b = nodes.get(1);
        RunningNode c = nodes.get(2);
        TestHttp user = InJvmCluster.userWhoseSessionIsDecidedBy(c, b).timeout(Duration.ofSeconds(30));
        String oldId = user.sessionId();
        String oldKey = SessionWorkload.clusterId(oldId);

        CutWhen cut = switch (at) {
            case ITS_EVENT -> CutWhen.created(c, key -> key.toString().startsWith("e:"));
            case THE_NEW_IDS_LOCK -> CutWhen.created(c, key -> !key.equals(oldKey) && !key.toString().startsWith("wanted:"));
            case THE_SESSION_UNDER_ITS_NEW_ID -> CutWhen.created(c, key -> true);
            case THE_OLD_IDS_REMOVAL -> CutWhen.removed(c);
        };
        Cache<?, ?> watched = InJvmCluster.manager(at == LoginCut.THE_OLD_IDS_REMOVAL ? c : b).getCache(switch (at) {
            case ITS_EVENT -> SharedCaches.EVENTS;
            case THE_NEW_IDS_LOCK -> SessionLayer.LOCK_CACHE;
            case THE_SESSION_UNDER_ITS_NEW_ID, THE_OLD_IDS_REMOVAL -> SessionLayer.SESSION_CACHE;
        });
        long started = System.nanoTime();
        TestHttp.Reply login = CacheFaults.during(watched, cut, () -> user.post("/api/login", "{\"user\":\"ann\"}"));
        long answered = System.nanoTime() - started;
        assertThat(cut.done()).as("c was cut off during the login").isTrue();
        boolean loggedIn = login.status() == 200;
        assertThat(login.status()).as("the login's answer: %s", login.body()).isIn(200, 503);
        String held = user.sessionId();
        boolean moved = !held.equals(oldId);
        // A refused login may still have moved the session: then its answer carries the new id too.
        assertThat(held).as("the client's cookie after a login answered %s", login.status())
                .isEqualTo(loggedIn ? login.sessionCookie().orElseThrow() : login.sessionCookie().orElse(oldId));
        assertThat(moved || !loggedIn).as("a login answered 200 gave the session a new id").isTrue();

        InJvmCluster.awaitMembers(2, a, b);
        JsonNode onA = servedWhenAnswered(a, held);
        JsonNode onB = servedWhenAnswered(b, held);
        LOG.info("login, c cut off in {}: answered {} in {} ms ({}), then on a {} and on b {}", at, login.status(),
                answered / 1_000_000, moved ? "a new id" : "the same id", onA, onB);
        assertThat(onB).as("the session as a and b serve it").isEqualTo(onA);
        assertThat(onA.path("counter").asLong()).as("the write acknowledged before the login").isEqualTo(1);
        if (loggedIn) {
            assertThat(onA.path("user").asText()).as("the user logged in").isEqualTo("ann");
        }
        if (moved) {
            for (RunningNode n : List.of(a, b)) {
                assertThat(servedWhenAnswered(n, oldId).path("new").asBoolean()).as("the id before the login, on %s", n.name())
                        .isTrue();
            }
        }
        assertThat(user.at(a.uri()).post("/api/session/counter", null).json().path("value").asLong())
                .as("the session counts on, on a").isEqualTo(2);
        assertThat(user.at(b.uri()).post("/api/session/counter", null).json().path("value").asLong())
                .as("and then on b").isEqualTo(3);
    }

    @Test
    void aLogoutThatAPeerStopsAnsweringHalfwayEndsTheSessionOnEverySurvivorOrOnNone() {
        List<RunningNode> nodes = cluster.startAll("lx", "ly", "lz");
        RunningNode a = nodes.get(0);
        RunningNode b = nodes.get(1);
        RunningNode c = nodes.get(2);
        TestHttp user = b.client().timeout(Duration.ofSeconds(30));
        assertThat(user.post("/api/login", "{\"user\":\"bob\"}").status()).isEqualTo(200);
        assertThat(user.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(1);
        String id = user.sessionId();

        // In the middle of the session's removal: the other members of the view may or may not take it.
        CutWhen cut = CutWhen.removed(c);
        TestHttp.Reply logout = CacheFaults.during(InJvmCluster.manager(b).getCache(SessionLayer.SESSION_CACHE), cut,
                () -> user.post("/api/logout", null));
        assertThat(cut.done()).as("c was cut off during the logout").isTrue();
        assertThat(logout.status()).as("the logout's answer: %s", logout.body()).isIn(204, 503);

        InJvmCluster.awaitMembers(2, a, b);
        JsonNode onA = servedWhenAnswered(a, id);
        JsonNode onB = servedWhenAnswered(b, id);
        LOG.info("logout cut: answered {}, then on a {} and on b {}", logout.status(), onA, onB);
        boolean ended = onA.path("new").asBoolean();
        assertThat(onB.path("new").asBoolean()).as("ended on b as on a: a %s, b %s", onA, onB).isEqualTo(ended);
        if (logout.status() == 204) {
            assertThat(ended).as("a logout answered 204 ended the session").isTrue();
        }
        if (!ended) {
            assertThat(onB).as("the session as a and b serve it").isEqualTo(onA);
            assertThat(onA.path("counter").asLong()).isEqualTo(1);
            assertThat(onA.path("user").asText()).isEqualTo("bob");
            TestHttp again = new TestHttp(a.uri());
            again.sessionId(id);
            assertThat(again.post("/api/logout", null).status()).as("logging out again").isEqualTo(204);
            for (RunningNode n : List.of(a, b)) {
                assertThat(servedWhenAnswered(n, id).path("new").asBoolean()).as("the session after the second logout, on %s", n.name())
                        .isTrue();
            }
        }
    }

    /** The node's answer to a read of the session under {@code id}, once it gives one (a moment after a view change it may refuse). */
    private static JsonNode servedWhenAnswered(RunningNode node, String id) {
        JsonNode[] read = new JsonNode[1];
        Awaitility.await(node.name() + " serves session " + id).atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200)).until(() -> (read[0] = readOrNull(node, id)) != null);
        return read[0];
    }

    /** The session's counter, user and whether it is new; null when the node does not answer 200. */
    private static JsonNode readOrNull(RunningNode node, String id) {
        TestHttp there = new TestHttp(node.uri()).timeout(Duration.ofSeconds(10));
        there.sessionId(id);
        TestHttp.Reply reply = there.get("/api/session");
        if (reply.status() != 200) {
            return null;
        }
        JsonNode s = reply.json();
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("new", s.path("new").asBoolean()).put("counter", s.path("counter").asLong())
                .set("user", s.path("user"));
    }

    /** Cuts {@code peer} off in the middle of a write: as a node applies it (a listener of that node's cache). */
    @Listener(sync = true)
    static final class CutWhen {
        private final RunningNode peer;
        private final boolean creation;
        private final Predicate<Object> key;
        private final AtomicBoolean done = new AtomicBoolean();

        private CutWhen(RunningNode peer, boolean creation, Predicate<Object> key) {
            this.peer = peer;
            this.creation = creation;
            this.key = key;
        }

        /** Once the node has stored a new entry under a matching key. */
        static CutWhen created(RunningNode peer, Predicate<Object> key) {
            return new CutWhen(peer, true, key);
        }

        /** As the node is about to remove an entry. */
        static CutWhen removed(RunningNode peer) {
            return new CutWhen(peer, false, key -> true);
        }

        @CacheEntryCreated
        public void created(CacheEntryEvent<Object, Object> e) {
            if (creation && !e.isPre() && key.test(e.getKey())) {
                cut();
            }
        }

        @CacheEntryRemoved
        public void removed(CacheEntryEvent<Object, Object> e) {
            if (!creation && e.isPre() && key.test(e.getKey())) {
                cut();
            }
        }

        private void cut() {
            if (done.compareAndSet(false, true)) {
                InJvmCluster.cutOff(peer);
            }
        }

        boolean done() {
            return done.get();
        }
    }
}
