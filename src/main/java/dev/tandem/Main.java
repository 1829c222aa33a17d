package dev.tandem;

import dev.tandem.config.ConfigException;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.NodeConfig;
import dev.tandem.lifecycle.Signals;
import dev.tandem.session.SessionSerialFilter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the configuration, starts one node, and exits when it has drained. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // JGroups on IPv4: loopback labs and TCPPING lists are IPv4; must be set before any socket.
        System.setProperty("java.net.preferIPv4Stack", "true");

        NodeConfig config;
        try {
            ConfigLoader.Result result = new ConfigLoader(System.getenv(), Main::hostname).load(args);
            if (result instanceof ConfigLoader.Exit exit) {
                System.out.println(exit.text());
                System.exit(exit.code());
                return;
            }
            config = ((ConfigLoader.Start) result).config();
        } catch (ConfigException e) {
            System.err.println("tandem: " + e.getMessage());
            System.err.println("tandem: see --help");
            System.exit(2);
            return;
        }

        Logger log = LoggerFactory.getLogger(Main.class);
        SessionSerialFilter.install(config.sessionClasses());
        TandemNode node = new TandemNode(config);
        Signals.onTerminate(node::drain);
        try {
            node.start();
        } catch (Exception e) {
            log.error("node {} failed to start", config.node(), e);
            System.exit(1);
        }
        System.exit(awaitExitCode(node));
    }

    /**
     * Waits for the node's drain to end, on a latch rather than {@code stopped().join()}: a first
     * blocking join loads CompletableFuture's waiter class just as the node turns ready, and the
     * JIT then throws away each compiled method that counted on one kind of pending completion
     * (Jersey's asynchronous resources among them; bench/node/pass-end.md).
     */
    private static int awaitExitCode(TandemNode node) {
        CountDownLatch ended = new CountDownLatch(1);
        AtomicInteger code = new AtomicInteger(1);
        node.stopped().whenComplete((exitCode, failure) -> {
            code.set(failure == null ? exitCode : 1);
            ended.countDown();
        });
        try {
            ended.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return code.get();
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getenv().getOrDefault("HOSTNAME", "node");
        }
    }
}
