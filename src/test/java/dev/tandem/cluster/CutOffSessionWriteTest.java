package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.session.SessionLayer;
import dev.tandem.testing.BesideOtherTests;
import dev.tandem.testing.InJvmCluster;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import dev.tandem.testing.history.SessionWorkload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session write that times out on a peer that stopped answering, after its request took the
 * session's lock: the cut falls between the two. The request is refused, yet its write may stay on
 * some members and not others (as a lock's or an event's does: CutOffLockWriteTest,
 * CutOffEventWriteTest). Sessions are read from the node's own copy, so once that peer is out of
 * the view every survivor must hold the same copy, or a user moving between them would read the
 * session going backwards. Real nodes in this JVM; each request sends half its body, the peer is
 * cut off (JGroups DISCARD in its own stack), then the rest.
 *
 * <p>Mostly waiting (the write's remote timeout, then the cut peer's failure detection).
 */
@BesideOtherTests
class CutOffSessionWriteTest {
    private static final Logger LOG = LoggerFactory.getLogger(CutOffSessionWriteTest.class);
    private final InJvmCluster cluster = new InJvmCluster(3);

    @AfterEach
    void stopAll() {
        cluster.close();
    }

    @Test
    void aSessionWriteThatTimedOutOnACutOffPeerEndsTheSameOnEverySurvivorOnceThatPeerIsOutOfTheView() throws Exception {
        // Names no other test uses (BesideOtherTests).
        List<RunningNode> nodes = cluster.startAll("sa", "sb", "sc");
        RunningNode a = nodes.get(0);
        RunningNode b = nodes.get(1);
        RunningNode c = nodes.get(2);
        // Users of b whose session's entry each node decides (its primary owner); c stops answering.
        List<TestHttp> users = new ArrayList<>();
        for (RunningNode primary : nodes) {
            users.add(InJvmCluster.userWhoseSessionIsDecidedBy(primary, b));
        }
        List<HalfSentWrite> writes = new ArrayList<>();
        for (TestHttp user : users) {
            writes.add(new HalfSentWrite(b, user));
        }
        Awaitility.await("every write holds its session's lock").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).until(() -> users.stream().allMatch(u -> InJvmCluster.sessionLockOf(b, u) != null));

        InJvmCluster.cutOff(c);
        List<CompletableFuture<String>> answers = writes.stream()
                .map(w -> CompletableFuture.supplyAsync(w::finish)).toList();
        for (CompletableFuture<String> answer : answers) {
            assertThat(answer.join()).as("a session write while c cannot answer").startsWith("HTTP/1.1 503");
        }
        for (TestHttp user : users) {
            LOG.info("session {} right after the refused write: the same on a and b: {}", SessionWorkload.clusterId(user.sessionId()),
                    sameOn(a, b, user));
        }

        // Reads right away, on both nodes, while c is still in the view: each must wait (and be
        // refused) or read the copy the cluster keeps in the end, never the other one.
        List<CompletableFuture<String>> earlyReads = new ArrayList<>();
        for (TestHttp user : users) {
            for (RunningNode n : List.of(a, b)) {
                earlyReads.add(CompletableFuture.supplyAsync(() -> readOrStatus(n, user)));
            }
        }

        InJvmCluster.awaitMembers(2, a, b);
        Awaitility.await("the same session on a and b").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    for (TestHttp user : users) {
                        assertThat(sameOn(a, b, user)).as("session %s on a and b", user.sessionId()).isTrue();
                    }
                });
        for (int i = 0; i < users.size(); i++) {
            TestHttp user = users.get(i);
            String onA = served(a, user);
            List<String> early = List.of(earlyReads.get(2 * i).join(), earlyReads.get(2 * i + 1).join());
            LOG.info("session {} once c is out, on a and b: {}; read right after the refusal on a and b: {}",
                    SessionWorkload.clusterId(user.sessionId()), onA, early);
            assertThat(served(b, user)).as("the session read on b and on a").isEqualTo(onA);
            for (String read : early) {
                assertThat(read).as("a read right after the refusal").isIn(onA, "503");
            }
        }
        for (TestHttp user : users) {
            assertThat(user.post("/api/session/counter", null).json().get("value").asLong())
                    .as("the session counts on from where it was").isEqualTo(2);
        }
    }

    /**
     * A PUT of a session attribute sent through {@code node} up to half its body: the node has
     * taken the session's lock and waits for the rest ({@link #finish}).
     */
    private static final class HalfSentWrite {
        private static final String BODY = "{\"text\":\"written while a peer was cut off\"}";
        private final Socket socket;

        HalfSentWrite(RunningNode node, TestHttp user) throws IOException {
            socket = new Socket(node.uri().getHost(), node.uri().getPort());
            socket.setSoTimeout(20_000);
            String head = "PUT /api/session/attributes/note HTTP/1.1\r\nHost: " + node.uri().getAuthority()
                    + "\r\nCookie: JSESSIONID=" + user.sessionId() + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + BODY.length() + "\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write((head + BODY.substring(0, BODY.length() / 2)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Sends the rest of the body; returns the answer's status line. */
        String finish() {
            try (Socket s = socket) {
                s.getOutputStream().write(BODY.substring(BODY.length() / 2).getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                for (int ch = in.read(); ch != -1 && ch != '\r'; ch = in.read()) {
                    line.append((char) ch);
                }
                return line.toString();
            } catch (IOException e) {
                return "no answer: " + e;
            }
        }
    }

    /** The user's session as the node reads it (its own copy): the counter and the attributes. */
    private static String served(RunningNode node, TestHttp user) {
        String read = readOrStatus(node, user);
        assertThat(read).as("%s reads the session", node.name()).doesNotMatch("[0-9]{3}");
        return read;
    }

    /** The session as {@link #served}, or the status when the node does not answer 200. */
    private static String readOrStatus(RunningNode node, TestHttp user) {
        TestHttp there = new TestHttp(node.uri()).timeout(Duration.ofSeconds(15));
        there.sessionId(user.sessionId());
        TestHttp.Reply reply = there.get("/api/session");
        return reply.status() == 200 ? reply.json().get("counter") + " " + reply.json().get("attributes")
                : Integer.toString(reply.status());
    }

    /** Whether both nodes' own copies of the user's session are the same bytes (or both absent). */
    private static boolean sameOn(RunningNode one, RunningNode other, TestHttp user) {
        return Objects.deepEquals(localCopy(one, user), localCopy(other, user));
    }

    private static Object localCopy(RunningNode node, TestHttp user) {
        AdvancedCache<Object, Object> raw = raw(node);
        return raw.withFlags(Flag.CACHE_MODE_LOCAL, Flag.SKIP_CACHE_LOAD).get(raw.getKeyDataConversion().toStorage(InJvmCluster.sessionKey(node, user)));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static AdvancedCache<Object, Object> raw(RunningNode node) {
        return (AdvancedCache) InJvmCluster.manager(node).getCache(SessionLayer.SESSION_CACHE).getAdvancedCache()
                .withStorageMediaType();
    }
}
