import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * C0 of the side-by-side suite: the anchor Tandem is measured against, a hello servlet on a stock
 * embedded Jetty 12 with every setting at Jetty's default. Not part of the product; run with the
 * product's jar on the class path so that the Jetty version is the same:
 * {@code java -cp target/tandem.jar bench/side/BareJetty.java HOST PORT}.
 * <p>
 * For the S cells (where a tail comes from), three system properties change it, each defaulting to
 * Jetty's own value: {@code bare.spinMicros} (CPU burnt per request before answering, 0),
 * {@code bare.maxThreads} (the thread pool's maximum, 200) and {@code bare.reservedThreads} (-1:
 * Jetty sizes its reserved threads, which lets a thread that parsed a request run it at once).
 */
public final class BareJetty {
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].startsWith("127.")) {
            throw new IllegalArgumentException("usage: BareJetty 127.x.y.z PORT (loopback only)");
        }
        int maxThreads = Integer.getInteger("bare.maxThreads", 200);
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads));
        threads.setReservedThreads(Integer.getInteger("bare.reservedThreads", -1));
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(args[0]);
        connector.setPort(Integer.parseInt(args[1]));
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(Hello.class, "/hello");
        server.setHandler(context);
        server.start();
        server.join();
    }

    /** The smallest useful answer: a fixed JSON body, as small as Tandem's {@code /api/node}. */
    public static final class Hello extends HttpServlet {
        private static final byte[] BODY = "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);
        private static final long SPIN_NANOS = Long.getLong("bare.spinMicros", 0) * 1000;
        /** Where the spin's count goes, so that the JIT cannot remove the loop. */
        private static volatile long spun;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            spin();
            response.setContentType("application/json");
            response.setContentLength(BODY.length);
            response.getOutputStream().write(BODY);
        }

        /** An application's CPU per request, without its code: a busy loop of {@code bare.spinMicros}. */
        private static void spin() {
            if (SPIN_NANOS > 0) {
                long end = System.nanoTime() + SPIN_NANOS;
                long n = 0;
                while (System.nanoTime() < end) {
                    n++;
                }
                spun = n;
            }
        }
    }
}
