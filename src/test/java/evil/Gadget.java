package evil;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/** Stands for a deserialization gadget: it counts every time the JVM brings one back to life. */
public final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How often readObject ran in this JVM: must stay 0 when the serial filter does its job. */
    public static final AtomicInteger READS = new AtomicInteger();

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        READS.incrementAndGet();
    }
}
