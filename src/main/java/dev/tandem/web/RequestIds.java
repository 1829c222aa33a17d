package dev.tandem.web;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: kept from the balancer when well-formed, otherwise made here.
 *
 * <p>A made id has the shape of a random (version 4) UUID. Its bits come from the calling thread's
 * {@link ThreadLocalRandom}, XORed with a salt this process drew once from a {@link SecureRandom}.
 * Why not {@code UUID.randomUUID()}: it takes one process-wide {@code SecureRandom} lock per call,
 * and with every request asking for an id that lock was contended (JFR: 400+ waits in 30 s). A
 * request id only has to tell requests apart in logs and not be trivially guessable; it grants
 * nothing, so it needs no cryptographic strength per call. 122 random bits per id keep them unique,
 * and the salt keeps two processes whose thread-local generators happened to start alike apart.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    public static final String ATTRIBUTE = "tandem.requestId";
    static final int MIN_LENGTH = 8;
    static final int MAX_LENGTH = 128;
    // A constant per process (like a seed), not shared mutable state: drawn once, read without a lock.
    private static final long SALT_HIGH;
    private static final long SALT_LOW;

    static {
        SecureRandom seed = new SecureRandom();
        SALT_HIGH = seed.nextLong();
        SALT_LOW = seed.nextLong();
    }

    private RequestIds() {}

    public static String pick(String incoming) {
        return incoming != null && safe(incoming) ? incoming : fresh();
    }

    /** A new id: {@code xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx}, lower-case hex. */
    static String fresh() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() ^ SALT_HIGH) & ~0xF000L | 0x4000L; // version 4
        long low = (random.nextLong() ^ SALT_LOW) & ~(0xC000_0000_0000_0000L) | 0x8000_0000_0000_0000L; // IETF variant
        return new UUID(high, low).toString();
    }

    /** {@code [A-Za-z0-9._:-]{8,128}}, checked without a regex matcher per request. */
    static boolean safe(String id) {
        int n = id.length();
        if (n < MIN_LENGTH || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
