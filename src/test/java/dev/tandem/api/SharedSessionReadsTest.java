package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.NodeConfig;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GETs of a session read it together (they share its lock on the node), and still see exactly
 * what a request holding it alone would: every acknowledged write, nothing not yet written, never
 * backwards; and a GET that would write the session (its periodic touch) gets it alone and does.
 */
class SharedSessionReadsTest {
    private static final Logger LOG = LoggerFactory.getLogger(SharedSessionReadsTest.class);

    /** A read as recorded: when it was sent and answered, against the writes acknowledged or sent by then. */
    private record Read(long value, long ackedBeforeSent, long sentBeforeAnswered) {}

    @Test
    void readsBesideWritesOfOneSessionSeeEveryAcknowledgedWriteNothingUnsentAndNeverGoBack() throws Exception {
        try (RunningNode node = RunningNode.standalone("sr1")) {
            TestHttp writer = new TestHttp(node.uri());
            assertThat(writer.post("/api/session/counter", null).json().path("value").asLong()).isEqualTo(1);
            String id = writer.sessionId();
            AtomicLong acked = new AtomicLong(1);
            AtomicLong sent = new AtomicLong(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Long> ackedValues = new ArrayList<>();
            ConcurrentLinkedQueue<String> odd = new ConcurrentLinkedQueue<>();

            CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 300; i++) {
                        sent.incrementAndGet();
                        TestHttp.Reply r = writer.post("/api/session/counter", null);
                        if (r.status() != 200) {
                            odd.add("write answered " + r.status() + " " + r.body());
                            return;
                        }
                        long value = r.json().path("value").asLong();
                        ackedValues.add(value);
                        acked.accumulateAndGet(value, Math::max);
                    }
                } finally {
                    writing.set(false);
                }
            });
            List<CompletableFuture<List<Read>>> readers = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                readers.add(CompletableFuture.supplyAsync(() -> {
                    TestHttp reader = new TestHttp(node.uri());
                    reader.sessionId(id);
                    List<Read> reads = new ArrayList<>();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    for (int i = 0; i < 5_000 && writing.get() && System.nanoTime() < deadline; i++) {
                        long before = acked.get();
                        TestHttp.Reply r = reader.get("/api/session");
                        long upTo = sent.get();
                        if (r.status() != 200) {
                            odd.add("read answered " + r.status() + " " + r.body());
                            continue;
                        }
                        JsonNode body = r.json();
                        if (body.path("new").asBoolean()) {
                            odd.add("read handed out a new session");
                        }
                        reads.add(new Read(body.path("counter").asLong(), before, upTo));
                    }
                    return reads;
                }));
            }
            writes.get(90, TimeUnit.SECONDS);
            List<Read> all = new ArrayList<>();
            int stale = 0;
            int unsent = 0;
            int backwards = 0;
            for (CompletableFuture<List<Read>> reader : readers) {
                long last = 0;
                for (Read read : reader.get(90, TimeUnit.SECONDS)) {
                    stale += read.value() < read.ackedBeforeSent() ? 1 : 0;
                    unsent += read.value() > read.sentBeforeAnswered() ? 1 : 0;
                    backwards += read.value() < last ? 1 : 0;
                    last = read.value();
                    all.add(read);
                }
            }
            LOG.info("[shared reads] {} writes acknowledged, {} reads: {} stale, {} of unsent writes, {} backwards, odd: {}",
                    ackedValues.size(), all.size(), stale, unsent, backwards, odd);
            assertThat(odd).as("failed or odd answers").isEmpty();
            assertThat(ackedValues).as("acknowledged writes, distinct and in order").hasSize(300).doesNotHaveDuplicates().isSorted();
            assertThat(all).as("reads").isNotEmpty();
            assertThat(stale).as("reads missing an acknowledged write").isZero();
            assertThat(unsent).as("reads of a write not yet sent").isZero();
            assertThat(backwards).as("reads going back").isZero();
            assertThat(writer.get("/api/session").json().path("counter").asLong()).as("the counter at the end").isEqualTo(301);
            // Every read shared the session's lock but those whose touch came due (once per 15 s here).
            assertThat(writer.metric("tandem_session_store_seconds_count{node=\"sr1\",op=\"share\"}").orElse(0))
                    .as("reads that took a share of the lock").isGreaterThanOrEqualTo(all.size() - 10);
        }
    }

    @Test
    void aSessionOnlyReadByGetsStaysAlivePastItsIdleTimeoutBecauseItsTouchGetsItAlone() {
        Duration timeout = Duration.ofSeconds(4);
        try (RunningNode node = RunningNode.start(NodeConfig.standalone("sr2").withSessionTimeout(timeout))) {
            TestHttp client = new TestHttp(node.uri());
            assertThat(client.put("/api/session/attributes/kept", "\"yes\"").status()).isEqualTo(204);
            long until = System.nanoTime() + timeout.multipliedBy(2).toNanos();
            int reads = 0;
            while (System.nanoTime() < until && reads < 200) {
                TestHttp.Reply r = client.get("/api/session/attributes/kept");
                assertThat(r.status()).as("read %d, %d ms after the write", reads,
                        timeout.multipliedBy(2).toMillis() - TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())).isEqualTo(200);
                assertThat(r.json().asText()).isEqualTo("yes");
                reads++;
                dev.tandem.testing.Pause.fully(Duration.ofMillis(100));
            }
            assertThat(reads).isGreaterThan(20);
        }
    }
}
