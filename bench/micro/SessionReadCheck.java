import dev.tandem.session.SessionAttributeReader;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;

/**
 * 8 threads read one session's attributes for SECONDS, with Jetty's stream (jetty) or Tandem's caching
 * reader (cached); run with JFR to count lock waits (bench/README.md, "Session reads"):
 *   java -XX:StartFlightRecording=settings=FILE.jfc,filename=OUT.jfr -cp target/tandem.jar bench/micro/SessionReadCheck.java jetty 8
 */
public class SessionReadCheck {
    public static void main(String[] a) throws Exception {
        String mode = a[0];
        long secs = Long.parseLong(a[1]);
        InfinispanSessionData src = new InfinispanSessionData("id", "/", "0.0.0.0", 1, 2, 3, 60000);
        src.setAttribute("tandem.counter", 41L);
        src.setAttribute("tandem.user", "alice");
        LinkedHashMap<String, Long> cart = new LinkedHashMap<>();
        cart.put("apple", 2L);
        src.setAttribute("tandem.cart", cart);
        src.serializeAttributes();
        byte[] bytes = src.getSerializedAttributes();
        SessionAttributeReader reader = new SessionAttributeReader();
        LongAdder n = new LongAdder();
        long end = System.nanoTime() + secs * 1_000_000_000L;
        Thread[] ts = new Thread[8];
        for (int t = 0; t < ts.length; t++) {
            ts[t] = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        InfinispanSessionData d = new InfinispanSessionData("id", "/", "0.0.0.0", 1, 2, 3, 60000);
                        d.setSerializedAttributes(bytes);
                        if (mode.equals("jetty")) d.deserializeAttributes(); else reader.read(d);
                        n.increment();
                    }
                } catch (Exception e) { throw new RuntimeException(e); }
            });
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        System.out.printf("%s: %.0f reads/s%n", mode, n.sum() / (double) secs);
    }
}
