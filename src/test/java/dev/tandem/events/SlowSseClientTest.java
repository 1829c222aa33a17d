package dev.tandem.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.NodeConfig;
import dev.tandem.testing.RunningNode;
import dev.tandem.testing.TestHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clients that stop reading their event stream: they delay no other listener, and their streams
 * are closed after --events-write-timeout (here 2 s).
 */
class SlowSseClientTest {
    private static final Logger LOG = LoggerFactory.getLogger(SlowSseClientTest.class);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);
    /** More stalled clients than the node has threads that write events (4). */
    private static final int STALLED = 8;
    /**
     * 1,000 messages of 995 emoji (4 bytes each in UTF-8): 4 MB per stream. On loopback (64 KiB
     * segments) the kernel alone takes about 3 MB into a socket whose reader sleeps.
     */
    private static final int EVENTS = 1000;
    private static RunningNode node;

    @BeforeAll
    static void start() {
        node = RunningNode.start(NodeConfig.standalone("slow1").withEventsWriteTimeout(WRITE_TIMEOUT));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void clientsThatNeverReadDelayNoOtherListenerAndTheirStreamsAreClosedAfterTheWriteTimeout() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        List<SseClient> listeners = new ArrayList<>();
        try {
            for (int i = 0; i < STALLED; i++) {
                stalled.add(neverReading("room:slow"));
            }
            for (int i = 0; i < 3; i++) {
                listeners.add(new SseClient(node.uri(), "room:slow", null));
            }
            Awaitility.await("all streams open").atMost(Duration.ofSeconds(10)).until(() -> waiting() >= STALLED + 3);
            TestHttp http = node.client();
            long start = http.get("/api/events?channel=room:slow").json().get("cursor").asLong();
            CompletableFuture<TestHttp.Reply> poll = CompletableFuture.supplyAsync(
                    () -> node.client().get("/api/events?channel=room:slow&wait=20&after=" + start));

            String text = "\uD83D\uDE00".repeat(995);
            long t0 = System.nanoTime();
            for (int i = 0; i < EVENTS; i++) {
                TestHttp.Reply r = http.post("/api/rooms/slow/messages", "{\"text\":\"" + i + text + "\"}");
                assertThat(r.status()).as(r.body()).isEqualTo(201);
            }
            long published = System.nanoTime();
            LOG.info("[events] published {} messages of 4 KB in {} ms", EVENTS, (published - t0) / 1_000_000);

            Awaitility.await("every listener has every event").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> listeners.stream().allMatch(l -> l.events().size() >= EVENTS));
            LOG.info("[events] {} stalled streams: {} SSE listeners had all {} events {} ms after the last publish",
                    STALLED, listeners.size(), EVENTS, (System.nanoTime() - published) / 1_000_000);
            for (SseClient l : listeners) {
                List<Long> ids = l.events().stream().map(SseClient.Received::id).toList();
                assertThat(ids).as("every event once").hasSize(EVENTS);
                assertThat(ids.get(EVENTS - 1) - ids.get(0)).as("in order, no gap").isEqualTo(EVENTS - 1);
                assertThat(ids).isSorted();
                assertThat(l.events().get(0).data().path("data").path("text").asText()).startsWith("0\uD83D\uDE00");
            }
            assertThat(poll.get(10, TimeUnit.SECONDS).status()).as("the waiting long poll").isEqualTo(200);
            assertThat(metric("tandem_events_delivery_seconds_count")).as("deliveries timed by the node")
                    .isGreaterThanOrEqualTo(listeners.size() * (double) EVENTS);

            LOG.info("[events] stalled closed so far: {}, waiting {}", stalledClosed(), waiting());
            // Closed by the node (its socket took nothing for 2 s): the client sees the end of the stream.
            Awaitility.await("stalled streams closed").atMost(WRITE_TIMEOUT.multipliedBy(4))
                    .until(() -> stalledClosed() >= STALLED);
            for (Socket s : stalled) {
                assertThat(endsWithin(s, Duration.ofSeconds(10))).as("the stalled client's connection ends").isTrue();
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> waiting() == listeners.size());
            assertThat(listeners).allMatch(l -> l.notices().isEmpty());
        } finally {
            listeners.forEach(SseClient::close);
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    /** Asks for a stream with a tiny receive buffer, then never reads. */
    private static Socket neverReading(String channel) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(node.uri().getHost(), node.uri().getPort()), 2000);
        s.getOutputStream().write(("GET /api/events/stream?channel=" + channel + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        return s;
    }

    /** Reads what the node sent until the end of the stream (EOF or reset); false if it is still open. */
    private static boolean endsWithin(Socket s, Duration limit) throws IOException {
        s.setSoTimeout((int) limit.toMillis());
        InputStream in = s.getInputStream();
        byte[] buf = new byte[65536];
        try {
            while (in.read(buf) >= 0) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static double metric(String name) {
        return node.client().metric(name).orElse(0);
    }

    private static int waiting() {
        return (int) metric("tandem_events_waiting");
    }

    private static int stalledClosed() {
        return (int) metric("tandem_events_stalled_streams_total");
    }
}
