package dev.tandem.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;

/**
 * What a session's serialized attributes decoded to, kept by their bytes, so that a node does not
 * decode the same bytes again: Java's object streams are the largest part of a session read that
 * is ours to change (8 µs of a 75-100 µs {@code GET /api/session}, bench/side/session-reads.md).
 *
 * <p>Every request still reads the session's latest entry from the cluster; only its decoding is
 * skipped, and only when the bytes are equal in full to bytes decoded or encoded here before. A
 * load keeps what it decoded: nothing else has seen those attributes yet, so they are exactly what
 * the bytes hold. A write keeps what it encoded: it takes a copy of its attributes first and makes
 * the bytes from that copy, never from the request's own map, which the request could still be
 * changing; so the node's next load of its own write (the usual case: a session used on one node,
 * each write read back by the next request) is not decoded either.
 * Attributes are kept only when every value is immutable (strings and boxed primitives): the same
 * instances then go to every request that reads those bytes, and none can change them. A session
 * with any other value (a map, a list, a user's class) is decoded on every read, as before.
 *
 * <p>Memory is bounded: a fixed table of {@link #SLOTS} slots, each holding one session's last
 * form of at most {@link #MAX_BYTES}. A session id picks a pair of slots, so two sessions whose ids
 * pick the same pair both stay, and a third takes the place of the one whose form was kept longest
 * ago. (With one slot per id, about 6 % of 64 sessions took turns with another, each turn a
 * decode: bench/side/session-reads.md.) A slot's values are found by its bytes, never by its id
 * alone, so a race between two requests filling a pair can cost a decode, never a wrong value.
 */
final class DecodedAttributes {
    static final int SLOTS = 1024;
    /** Small sessions only: a full table holds about 3 MiB at most (0.6 MiB of ~300-byte sessions). */
    static final int MAX_BYTES = 1024;
    private static final Set<Class<?>> IMMUTABLE = Set.of(String.class, Long.class, Integer.class, Short.class,
            Byte.class, Boolean.class, Character.class, Double.class, Float.class);

    private record Slot(String id, byte[] bytes, Map<String, Object> values) {
    }

    private final AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(SLOTS);

    /**
     * Decodes data's serialized attributes into its attributes, as {@link
     * InfinispanSessionData#deserializeAttributes} does, or gives it what the same bytes decoded to
     * before.
     */
    void decode(InfinispanSessionData data) throws IOException, ClassNotFoundException {
        byte[] bytes = data.getSerializedAttributes();
        if (bytes == null) {
            return;
        }
        int pair = index(data.getId());
        for (int way = pair; way < pair + 2; way++) {
            Slot slot = slots.get(way);
            if (slot != null && Arrays.equals(slot.bytes(), bytes)) {
                data.putAllAttributes(slot.values());
                data.setSerializedAttributes(null);
                return;
            }
        }
        data.deserializeAttributes();
        if (bytes.length <= MAX_BYTES && allImmutable(data.getAllAttributes())) {
            keep(new Slot(data.getId(), bytes, Map.copyOf(data.getAllAttributes())));
        }
    }

    /**
     * Serializes data's attributes for a write, as {@link InfinispanSessionData#serializeAttributes}
     * does. When they are all immutable, the bytes are made from a copy of them, and that copy is
     * kept under those bytes if they are small: the bytes hold exactly what is kept.
     */
    void encode(InfinispanSessionData data) throws IOException {
        Map<String, Object> values = Map.copyOf(data.getAllAttributes());
        if (!allImmutable(values)) {
            data.serializeAttributes();
            return;
        }
        byte[] bytes = jettysForm(values);
        data.setSerializedAttributes(bytes);
        if (bytes.length <= MAX_BYTES) {
            keep(new Slot(data.getId(), bytes, values));
        }
    }

    /**
     * Puts {@code kept} first in its id's pair. The session that was first moves to the second
     * slot, unless it is this one; so the pair holds the two sessions whose forms were kept last.
     */
    private void keep(Slot kept) {
        int pair = index(kept.id());
        Slot first = slots.get(pair);
        if (first != null && !first.id().equals(kept.id())) {
            slots.set(pair + 1, first);
        }
        slots.set(pair, kept);
    }

    /**
     * Jetty's form of immutable attributes ({@code SessionData.serializeAttributes}: the count, then
     * each name, its class loader flag and its value), written here. Jetty's own writer sets the
     * flag by asking the thread's context class loader to load each value's class again, on every
     * write: a lookup under a class-loading lock per attribute (on the jar, 1.4 % of a counter
     * write's CPU, bench/side/session-reads.md). For the JDK's own classes every branch of Jetty's
     * check comes out the same, "the context loader's", written as false; reading it back finds
     * the JDK's class through any loader.
     */
    private static byte[] jettysForm(Map<String, Object> values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(values.size());
            for (Map.Entry<String, Object> attribute : values.entrySet()) {
                out.writeUTF(attribute.getKey());
                out.writeBoolean(false);
                out.writeObject(attribute.getValue());
            }
        }
        return bytes.toByteArray();
    }

    private static boolean allImmutable(Map<String, Object> attributes) {
        for (Object value : attributes.values()) {
            if (value == null || !IMMUTABLE.contains(value.getClass())) {
                return false;
            }
        }
        return true;
    }

    /** The first of the two slots {@code id} picks (the other is the next one). */
    static int index(String id) {
        int h = id.hashCode();
        return ((h ^ (h >>> 16)) & (SLOTS / 2 - 1)) * 2;
    }
}
