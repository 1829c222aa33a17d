package dev.tandem.web;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.HouseKeeper;

/**
 * Session ids that are random as a whole: 144 bits from a {@link SecureRandom}, URL-safe Base64
 * (24 characters of {@code [A-Za-z0-9_-]}, each carrying 6 random bits: 16 bytes would leave the
 * last character only 4 possible values), then Jetty's {@code .<node>} suffix, which HAProxy
 * routes on, unchanged. Jetty's own ids put the worker name in front and a per-node counter at
 * the end, so consecutive ids were recognisably sequential there.
 *
 * <p>Each thread has its own DRBG instance: no lock shared by the requests that create sessions
 * (Jetty's generator, like {@code UUID.randomUUID()}, serialises every caller on one).
 */
public final class RandomSessionIds extends DefaultSessionIdManager {
    /** 144 bits: over OWASP's minimum of 64 bits of entropy, and a whole number of Base64 characters. */
    static final int RANDOM_BYTES = 18;
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();
    private final ThreadLocal<SecureRandom> randoms = ThreadLocal.withInitial(RandomSessionIds::newRandom);

    public RandomSessionIds(Server server) {
        super(server);
    }

    /**
     * For a WAR node's jetty-base (etc/tandem-sessions.xml): takes the place of the id manager
     * Jetty's sessions module made, with its worker name and housekeeper.
     */
    public static RandomSessionIds replacing(Server server, DefaultSessionIdManager jettys) {
        RandomSessionIds ids = new RandomSessionIds(server);
        ids.setWorkerName(jettys.getWorkerName());
        HouseKeeper houseKeeper = jettys.getSessionHouseKeeper();
        if (houseKeeper != null) {
            ids.setSessionHouseKeeper(houseKeeper);
        }
        server.removeBean(jettys);
        server.addBean(ids, true);
        return ids;
    }

    /** The cluster id, without the node suffix (Jetty adds it); seedTerm is not needed. */
    @Override
    public String newSessionId(long seedTerm) {
        byte[] bytes = new byte[RANDOM_BYTES];
        randoms.get().nextBytes(bytes);
        return URL_SAFE.encodeToString(bytes);
    }

    private static SecureRandom newRandom() {
        try {
            // A DRBG instance seeds itself from the system once; after that it never blocks.
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
