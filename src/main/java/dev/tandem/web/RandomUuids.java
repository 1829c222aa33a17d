package dev.tandem.web;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids with the shape of a random (version 4) UUID, made without a lock: request ids, event ids.
 *
 * <p>The bits come from the calling thread's {@link ThreadLocalRandom}, XORed with a salt this
 * process drew once from a {@link SecureRandom}. Why not {@code UUID.randomUUID()}: it takes one
 * process-wide {@code SecureRandom} lock per call, and with every request asking for an id that lock
 * was contended (issue 16, JFR: 400+ waits in 30 s). These ids tell things apart; they grant
 * nothing, so they need no cryptographic strength per call. 122 random bits per id keep them
 * unique, and the salt keeps two processes whose thread-local generators happened to start alike apart.
 */
public final class RandomUuids {
    // A constant per process (like a seed), not shared mutable state: drawn once, read without a lock.
    private static final long SALT_HIGH;
    private static final long SALT_LOW;

    static {
        SecureRandom seed = new SecureRandom();
        SALT_HIGH = seed.nextLong();
        SALT_LOW = seed.nextLong();
    }

    private RandomUuids() {}

    /** A new id: {@code xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx}, lower-case hex. */
    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() ^ SALT_HIGH) & ~0xF000L | 0x4000L; // version 4
        long low = (random.nextLong() ^ SALT_LOW) & ~(0xC000_0000_0000_0000L) | 0x8000_0000_0000_0000L; // IETF variant
        return new UUID(high, low).toString();
    }
}
