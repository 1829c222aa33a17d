package dev.tandem.transport;

import java.nio.file.Path;

/**
 * The one rule for who may join, for jar and WAR alike: a clustered node needs the cluster's
 * credentials, or the explicit dev-only insecure setting; a standalone node forms no cluster, so it
 * needs neither, but uses credentials it is given. Each caller names the settings the way its
 * user writes them (command-line options for the jar, system properties for a WAR's jetty-base).
 */
public final class SecurityChoice {
    /** The names of the two settings, and where the credentials setting can also come from. */
    public record Names(String credentials, String insecure, String alsoFrom) {}

    /** A setting that is wrong, named as the user wrote it. */
    public static final class Refused extends IllegalArgumentException {
        private final String setting;

        Refused(String setting, String reason) {
            super(setting + ": " + reason);
            this.setting = setting;
        }

        public String setting() {
            return setting;
        }

        public String reason() {
            return getMessage().substring(setting.length() + 2);
        }
    }

    private SecurityChoice() {}

    /**
     * @param credentials the credentials directory as given (null or blank: none)
     * @throws Refused naming the setting that is missing, contradictory or unusable
     */
    public static TransportSecurity choose(boolean clustered, String credentials, boolean insecure, Names names) {
        boolean given = credentials != null && !credentials.isBlank();
        if (!clustered && !given) {
            return TransportSecurity.insecure();
        }
        if (insecure) {
            if (given) {
                throw new Refused(names.insecure(), "contradicts " + names.credentials() + "; give one of them");
            }
            return TransportSecurity.insecure();
        }
        if (!given) {
            throw new Refused(names.credentials(), "a clustered node needs the cluster's credentials: "
                    + ClusterCredentials.HOW_TO_MAKE + ", then pass " + names.credentials() + " DIR" + names.alsoFrom()
                    + "; " + names.insecure() + " is for development only");
        }
        try {
            return TransportSecurity.tls(ClusterCredentials.load(Path.of(credentials.trim()).toAbsolutePath()));
        } catch (IllegalArgumentException e) {
            throw new Refused(names.credentials(), e.getMessage());
        }
    }
}
