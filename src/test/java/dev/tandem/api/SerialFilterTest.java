package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.session.SessionSerialFilter;
import dev.tandem.testing.NodeExtension;
import dev.tandem.testing.TestHttp;
import dev.tandem.testing.history.SessionWorkload;
import evil.Gadget;
import java.io.File;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.infinispan.Cache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Session data is read back with Java serialization, so a forged cache entry must not be able to
 * bring an arbitrary class to life: the JVM-wide allow-list refuses it before it is instantiated.
 */
class SerialFilterTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger filterLogger = (Logger) LoggerFactory.getLogger(SessionSerialFilter.class);

    @BeforeEach
    void captureLog() {
        log.start();
        filterLogger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        filterLogger.detachAppender(log);
    }

    private static Cache<String, InfinispanSessionData> cache() {
        return node.node().cluster().cache();
    }

    /** The cache key of the session a client holds (the cookie is "<cluster id>.<node>"). */
    private static String keyOf(TestHttp client) {
        String clusterId = SessionWorkload.clusterId(client.sessionId());
        return cache().keySet().stream().filter(k -> k.endsWith(clusterId)).findFirst()
                .orElseThrow(() -> new AssertionError("no cache entry for " + clusterId + " in " + cache().keySet()));
    }

    /** Replaces the stored entry under key with the same session carrying attribute name → value. */
    private static byte[] forge(String key, String name, Serializable value) throws Exception {
        InfinispanSessionData real = cache().get(key);
        InfinispanSessionData forged = new InfinispanSessionData(real.getId(), real.getContextPath(), real.getVhost(),
                real.getCreated(), real.getAccessed(), real.getLastAccessed(), real.getMaxInactiveMs());
        forged.setLastNode(real.getLastNode());
        forged.setExpiry(real.getExpiry());
        forged.setCookieSet(real.getCookieSet());
        forged.setLastSaved(real.getLastSaved());
        forged.setAttribute(name, value);
        forged.serializeAttributes();
        cache().put(key, forged);
        return forged.getSerializedAttributes();
    }

    @Test
    void aForgedEntryHoldingOnlyAllowedTypesIsReadBackSoTheForgeryItselfWorks() throws Exception {
        TestHttp client = node.client();
        client.post("/api/session/counter", null);
        String id = client.sessionId();

        forge(keyOf(client), "tandem.counter", 41L);

        JsonNode s = client.get("/api/session").json();
        assertThat(client.sessionId()).isEqualTo(id);
        assertThat(s.path("new").asBoolean()).isFalse();
        assertThat(s.path("counter").asLong()).isEqualTo(41);
        assertThat(log.list).isEmpty();
    }

    @Test
    void aForgedEntryWithAClassOffTheAllowListIsRefusedAndNeverInstantiated() throws Exception {
        TestHttp client = node.client();
        client.post("/api/session/counter", null);
        String id = client.sessionId();
        String key = keyOf(client);
        int readsBefore = Gadget.READS.get();

        byte[] forgedBytes = forge(key, "x", new Gadget());
        TestHttp.Reply r = client.get("/api/session");

        assertThat(r.status()).as("no 5xx: %s", r.body()).isLessThan(500);
        assertThat(Gadget.READS.get()).as("Gadget.readObject calls").isEqualTo(readsBefore);
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("refused to deserialize evil.Gadget"));
        JsonNode s = r.json();
        assertThat(s.path("new").asBoolean()).as("the unreadable session is not served").isTrue();
        assertThat(r.sessionCookie()).as("a fresh session in its place").isPresent().get().isNotEqualTo(id);
        assertThat(s.path("counter").asLong()).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            InfinispanSessionData now = cache().get(key);
            assertThat(now == null || !Arrays.equals(now.getSerializedAttributes(), forgedBytes))
                    .as("the forged entry is removed or replaced").isTrue();
        });
        assertThat(client.post("/api/session/counter", null).json().path("value").asLong())
                .as("the client carries on with a fresh session").isEqualTo(1);
    }

    @Test
    void aForgedEntryWithAJdkClassOffTheAllowListIsRefusedToo() throws Exception {
        TestHttp client = node.client();
        client.put("/api/session/attributes/keep", "1");
        String key = keyOf(client);

        forge(key, "x", new File("/etc/passwd"));
        TestHttp.Reply r = client.get("/api/session");

        assertThat(r.status()).isLessThan(500);
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("refused to deserialize java.io.File"));
        assertThat(r.json().path("new").asBoolean()).isTrue();
        assertThat(r.json().path("attributes").isEmpty()).isTrue();
    }

    @Test
    void aForgedEntryIsRefusedOnEveryKindOfRequestNotOnlyOnSessionReads() throws Exception {
        TestHttp client = node.client();
        client.post("/api/cart/items", "{\"sku\":\"apple\",\"qty\":1}");
        int readsBefore = Gadget.READS.get();

        forge(keyOf(client), "x", new Gadget());
        TestHttp.Reply cart = client.get("/api/cart");

        assertThat(cart.status()).isEqualTo(200);
        assertThat(cart.json().path("items").isEmpty()).as("the forged session's cart is not served").isTrue();
        assertThat(Gadget.READS.get()).isEqualTo(readsBefore);
    }
}
