package dev.tandem.session;

import java.io.ObjectInputFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allow-list for classes read back from session data. Jetty deserializes attributes with a
 * plain ObjectInputStream (Infinispan's own allow-list does not apply), so a forged session entry
 * could otherwise instantiate any class on the classpath. Anything not listed is refused before
 * it is instantiated.
 */
public final class SessionSerialFilter {

    /** Limits first, then the JDK value types sessions hold; everything else is rejected by "!*". */
    static final String BASE = String.join(";",
            "maxdepth=20", "maxrefs=100000", "maxbytes=4194304", "maxarray=1048576",
            "java.lang.String", "java.lang.Boolean", "java.lang.Character", "java.lang.Number",
            "java.lang.Integer", "java.lang.Long", "java.lang.Short", "java.lang.Byte",
            "java.lang.Double", "java.lang.Float", "java.lang.Enum",
            "java.math.BigInteger", "java.math.BigDecimal", "java.util.UUID", "java.time.Ser",
            "java.util.ArrayList", "java.util.LinkedList", "java.util.HashMap", "java.util.LinkedHashMap",
            "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
            "java.util.Collections$*", "java.util.ImmutableCollections$*", "java.util.Map$Entry",
            "java.util.AbstractMap$SimpleEntry", "java.util.AbstractMap$SimpleImmutableEntry");

    private SessionSerialFilter() {}

    /** The JDK serial-filter pattern, also what WAR nodes pass as -Djdk.serialFilter. */
    public static String pattern(String extraClasses) {
        String extra = extraClasses == null || extraClasses.isBlank() ? "" : extraClasses.trim() + ";";
        return BASE + ";" + extra + "!*";
    }

    /**
     * Installs the filter JVM-wide, once. The JDK allows one process-wide filter only; a second
     * node in the same JVM (tests) must ask for the same pattern.
     */
    public static synchronized void install(String extraClasses) {
        String wanted = pattern(extraClasses);
        ObjectInputFilter current = ObjectInputFilter.Config.getSerialFilter();
        if (current == null) {
            ObjectInputFilter.Config.setSerialFilter(new Logging(ObjectInputFilter.Config.createFilter(wanted), wanted));
        } else if (!current.toString().equals(wanted)) {
            throw new IllegalStateException("a different JVM-wide serial filter is already installed: " + current);
        }
    }

    /** Says which class was refused, so a forged entry (or a class missing from the list) shows in the log. */
    private record Logging(ObjectInputFilter filter, String pattern) implements ObjectInputFilter {
        private static final Logger LOG = LoggerFactory.getLogger(SessionSerialFilter.class);

        @Override
        public Status checkInput(FilterInfo info) {
            Status status = filter.checkInput(info);
            if (status == Status.REJECTED) {
                LOG.warn("refused to deserialize {} (depth {}, refs {}, bytes {}): not on the session allow-list",
                        info.serialClass() == null ? "(limits)" : info.serialClass().getName(),
                        info.depth(), info.references(), info.streamBytes());
            }
            return status;
        }

        @Override
        public String toString() {
            return pattern;
        }
    }
}
