package dev.tandem.war;

import dev.tandem.cluster.ClusterView;
import dev.tandem.config.NodeConfig;
import dev.tandem.lifecycle.ListeningAddress;
import dev.tandem.lifecycle.Readiness;
import dev.tandem.lifecycle.Warmup;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WAR node's warm-up pass, the fat jar's ({@link Warmup#forNode}), before it reports ready. Jetty
 * deploys the webapp before it opens its connectors, so the pass runs on a thread of its own once
 * the jetty-base says the server listens ({@link ListeningAddress}, handed over by webapps/ROOT.xml
 * as a JDK type; only its attribute's name is compiled in here); the node turns ready when the pass ends.
 */
final class WarWarmup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WarWarmup.class);
    /** Both only under this object's lock: the pass starts on Jetty's thread, close() comes on the undeploying one. */
    private Thread pass;
    private boolean closed;

    private WarWarmup() {}

    /**
     * Runs the pass once the server listens, then makes the node ready; returns at once.
     *
     * @param attribute the context attribute {@link ListeningAddress#ATTRIBUTE}: a {@code CompletionStage<InetSocketAddress>}
     */
    @SuppressWarnings("unchecked")
    static WarWarmup start(Object attribute, NodeConfig config, ClusterView cluster, Readiness readiness) {
        if (!(attribute instanceof CompletionStage<?> stage)) {
            throw new IllegalStateException("context attribute " + ListeningAddress.ATTRIBUTE
                    + " is missing: deploy through the jetty-base's webapps/ROOT.xml (bin/tandem-jetty-base)");
        }
        WarWarmup warmup = new WarWarmup();
        Warmup.announce(config, readiness);
        ((CompletionStage<InetSocketAddress>) stage).whenComplete((address, failure) -> {
            if (failure != null) {
                // Jetty did not start (it says why itself); nothing to warm up or serve.
                LOG.warn("no warm-up pass: the server did not start listening ({})", failure.toString());
                readiness.stillStarting("the server did not start listening: " + failure.getMessage());
                return;
            }
            warmup.run(() -> {
                Warmup.forNode(address, config, cluster).run();
                if (!Thread.currentThread().isInterrupted()) {
                    readiness.serving();
                }
            });
        });
        return warmup;
    }

    /** Off Jetty's starting thread: the server finishes starting (and answers probes) while the pass runs. */
    private synchronized void run(Runnable work) {
        if (closed) {
            return;
        }
        pass = new Thread(work, "tandem-warmup");
        pass.setDaemon(true);
        pass.start();
    }

    /** Ends a pass still under way (the webapp is being undeployed); the node never turns ready. */
    @Override
    public synchronized void close() {
        closed = true;
        if (pass != null) {
            pass.interrupt();
        }
    }
}
