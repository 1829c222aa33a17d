package dev.tandem.api.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.NodeExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client that hangs up mid-response is nothing we did wrong: Jersey's SEVERE for it is dropped. */
class ClientHangUpTest {
    @RegisterExtension
    static final NodeExtension node = new NodeExtension("t1");

    @Test
    void aClientThatResetsTheConnectionMidResponseIsNotLoggedAsAnError() throws Exception {
        Logger responder = Logger.getLogger("org.glassfish.jersey.server.ServerRuntime$Responder");
        Filter ours = responder.getFilter();
        AtomicInteger dropped = new AtomicInteger();
        List<LogRecord> passed = new CopyOnWriteArrayList<>();
        Handler seen = new Handler() {
            @Override
            public void publish(LogRecord r) {
                passed.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        responder.setFilter(r -> {
            boolean loggable = ours.isLoggable(r);
            if (!loggable) {
                dropped.incrementAndGet();
            }
            return loggable;
        });
        responder.addHandler(seen);
        try {
            // Bounded: at most 20 attempts, each a few pipelined scrapes and a reset.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                hangUpMidResponse();
                return dropped.get() > 0;
            });
            assertThat(passed).noneMatch(r -> r.getLevel().intValue() >= Level.SEVERE.intValue());
        } finally {
            responder.removeHandler(seen);
            responder.setFilter(ours);
        }
    }

    @Test
    void jettysEofExceptionAnywhereInTheChainIsAHangUpAndNothingElseIs() {
        Exception jersey = new RuntimeException("writing the entity", new java.io.IOException(
                new org.eclipse.jetty.io.EofException(new java.io.IOException("Broken pipe"))));
        assertThat(ClientDisconnects.causedBy(jersey)).isTrue();
        assertThat(ClientDisconnects.causedBy(new org.eclipse.jetty.io.EofException("Early EOF"))).isTrue();
        assertThat(ClientDisconnects.causedBy(new IllegalStateException("our bug"))).isFalse();
        assertThat(ClientDisconnects.causedBy(null)).isFalse();
    }

    /** Asks for several scrapes with a tiny receive window, reads a little, then resets (SO_LINGER 0). */
    private static void hangUpMidResponse() throws Exception {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(1024);
            s.connect(new InetSocketAddress(node.uri().getHost(), node.uri().getPort()), 5_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            String get = "GET /metrics HTTP/1.1\r\nHost: t1\r\n\r\n";
            out.write(get.repeat(8).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            in.readNBytes(512);
            s.setSoLinger(true, 0);
        }
    }
}
