package dev.tandem.transport;

import java.util.Optional;
import java.util.Properties;
import org.jgroups.util.SocketFactory;

/**
 * How node-to-node traffic is protected: JGroups' TCP transport with TLS 1.3 and client
 * authentication against the cluster's credentials, or, for development only, not at all. For jar
 * and WAR alike, {@link ClusterCacheManagers} hands the transport the socket factory.
 */
public sealed interface TransportSecurity {
    /** System properties a WAR node gets from its jetty-base (bin/tandem-jetty-base writes them). */
    String CREDENTIALS = "tandem.cluster.credentials";
    String INSECURE = "tandem.cluster.insecure";

    /** The sockets JGroups' TCP transport uses; empty: its plain default ones. */
    Optional<SocketFactory> socketFactory();

    /** One line for the start-up log. */
    String describe();

    static TransportSecurity tls(ClusterCredentials credentials) {
        return new Tls(credentials);
    }

    static TransportSecurity insecure() {
        return new Insecure();
    }

    /**
     * A WAR node's security from its system properties (bin/tandem-jetty-base writes them after
     * checking them with the jar's option rules). A hand-made jetty-base is held to the same rule.
     */
    static TransportSecurity fromSystemProperties(Properties system) {
        return SecurityChoice.choose(true, system.getProperty(CREDENTIALS, ""),
                Boolean.parseBoolean(system.getProperty(INSECURE, "false")),
                new SecurityChoice.Names("-D" + CREDENTIALS, "-D" + INSECURE + "=true",
                        " in the jetty-base's start.d (bin/tandem-jetty-base --cluster-credentials DIR writes it)"));
    }

    /** Only peers holding one of the keystore's certificates connect; everything on the wire is encrypted. */
    record Tls(ClusterCredentials credentials) implements TransportSecurity {
        @Override
        public Optional<SocketFactory> socketFactory() {
            return Optional.of(ClusterSocketFactory.forCredentials(credentials));
        }

        @Override
        public String describe() {
            return "cluster traffic: TLS 1.3 with client authentication, credentials " + credentials.directory();
        }
    }

    /** Plain TCP: any process that reaches the cluster port can join, read and write sessions. */
    record Insecure() implements TransportSecurity {
        @Override
        public Optional<SocketFactory> socketFactory() {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "INSECURE cluster traffic (--cluster-insecure): no authentication, no encryption; any process"
                    + " reaching the cluster port can join and read or write every session. Development only.";
        }
    }
}
