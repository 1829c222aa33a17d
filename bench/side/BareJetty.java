import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * C0 of the side-by-side suite: the anchor Tandem is measured against, a hello servlet on a stock
 * embedded Jetty 12 with every setting at Jetty's default. Not part of the product; run with the
 * product's jar on the class path so that the Jetty version is the same:
 * {@code java -cp target/tandem.jar bench/side/BareJetty.java HOST PORT}.
 */
public final class BareJetty {
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].startsWith("127.")) {
            throw new IllegalArgumentException("usage: BareJetty 127.x.y.z PORT (loopback only)");
        }
        Server server = new Server();
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

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("application/json");
            response.setContentLength(BODY.length);
            response.getOutputStream().write(BODY);
        }
    }
}
