package dev.tandem.web;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.HouseKeeper;
import org.eclipse.jetty.session.SessionManager;

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

    /**
     * Jetty's change of a session's id in every context, except that a context's failure ends it
     * (thrown on) instead of being logged: Jetty would hand out the new id whether or not the
     * context stored the session under it (see {@code ClusterSessionHandler#renewSessionId}).
     */
    @Override
    public String renewSessionId(String oldClusterId, String oldNodeId, Request request) {
        String newClusterId = newSessionId(request.hashCode());
        for (SessionManager manager : getSessionManagers()) {
            try {
                manager.renewSessionId(oldClusterId, oldNodeId, newClusterId, getExtendedId(newClusterId, request));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("the session's id could not be changed", e);
            }
        }
        return newClusterId;
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
