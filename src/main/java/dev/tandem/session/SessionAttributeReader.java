package dev.tandem.session;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectStreamClass;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.eclipse.jetty.util.ClassLoadingObjectInputStream;

/**
 * Reads a stored session's attributes back, as {@link InfinispanSessionData#deserializeAttributes}
 * does, but resolves the classes named in the stream through a lookup cache.
 *
 * <p>Why: Jetty's stream resolves every class descriptor with {@code Class.forName(name, false,
 * loader)}, and for the application class loader that takes the loader's per-class-name lock
 * ({@code BuiltinClassLoader.loadClassOrNull}) on every call. Every session read asks for the same
 * few names ({@code java.lang.Long}, {@code java.util.LinkedHashMap}, ...), so concurrent reads
 * queued on those locks (JFR, issue 16: 1,435 contended waits, 24.6 s waited in 30 s). A class
 * found once is the same class for the same loader, so the answer can be kept.
 *
 * <p>The allow-list is untouched: the JDK applies the JVM-wide serial filter
 * ({@link SessionSerialFilter}) to every class descriptor <em>after</em> resolving it, cached or
 * not, so a class off the list is refused on every read. Only names that resolve to a class are
 * kept (bounded by {@link #MAX_CACHED} per loader, so forged entries cannot grow it without end);
 * the cache lives as long as the session store, i.e. as long as its web application and loader.
 */
public final class SessionAttributeReader {
    static final int MAX_CACHED = 256;
    private final Map<ClassLoader, Map<String, Class<?>>> classes = new ConcurrentHashMap<>();

    /** Fills {@code data}'s attributes from its serialized form (nothing to do when there is none). */
    public void read(InfinispanSessionData data) throws IOException, ClassNotFoundException {
        byte[] bytes = data.getSerializedAttributes();
        if (bytes == null) {
            return;
        }
        try (CachingStream in = new CachingStream(new ByteArrayInputStream(bytes))) {
            SessionData.deserializeAttributes(data, in);
        }
        data.setSerializedAttributes(null);
    }

    private Class<?> cached(ClassLoader loader, String name) {
        Map<String, Class<?>> byName = classes.get(loader);
        return byName == null ? null : byName.get(name);
    }

    private void remember(ClassLoader loader, String name, Class<?> type) {
        Map<String, Class<?>> byName = classes.computeIfAbsent(loader, l -> new ConcurrentHashMap<>());
        if (byName.size() < MAX_CACHED) {
            byName.put(name, type);
        }
    }

    /** Jetty's stream (SessionData requires that type) with the cache in front of its lookup. */
    private final class CachingStream extends ClassLoadingObjectInputStream {
        /** The loader SessionData asked for (server or web application); null: the thread's context loader. */
        private ClassLoader requested;

        CachingStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        public Object readObject(ClassLoader loader) throws IOException, ClassNotFoundException {
            ClassLoader before = requested;
            requested = loader;
            try {
                return super.readObject(loader);
            } finally {
                requested = before;
            }
        }

        @Override
        public Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            ClassLoader loader = requested != null ? requested : Thread.currentThread().getContextClassLoader();
            if (loader == null) {
                return super.resolveClass(desc);
            }
            Class<?> type = cached(loader, desc.getName());
            if (type == null) {
                type = super.resolveClass(desc); // Jetty's lookup: that loader, else the JDK's default
                remember(loader, desc.getName(), type);
            }
            return type;
        }
    }
}
