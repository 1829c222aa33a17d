package dev.tandem.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Set;

/**
 * A cluster's credentials as bin/tandem-credentials makes them: a directory with {@code cluster.p12}
 * (the cluster's key and the certificates its nodes accept) and {@code password}. Loading checks
 * everything a node needs, so a wrong directory stops start-up with the reason instead of failing
 * the first TLS handshake. The keystore it opened ({@code keys}) is the one the node's TLS uses:
 * opening a PKCS12 file derives its keys again (about 70 ms each on a cold JVM, three times at each
 * start before).
 */
public record ClusterCredentials(Path directory, Path keystore, String password, KeyStore keys) {
    public static final String KEYSTORE = "cluster.p12";
    public static final String PASSWORD = "password";
    public static final String HOW_TO_MAKE = "make them once per cluster with bin/tandem-credentials DIR and give"
            + " every node a copy of DIR";

    @Override
    public String toString() { // never the password
        return "ClusterCredentials[" + directory + "]";
    }

    /** Reads and checks the directory; the message of the exception says what is wrong with it. */
    public static ClusterCredentials load(Path dir) {
        Path keystore = dir.resolve(KEYSTORE);
        Path passwordFile = dir.resolve(PASSWORD);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("'" + dir + "' is not a directory; " + HOW_TO_MAKE);
        }
        for (Path f : new Path[] {keystore, passwordFile}) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("'" + f + "' is missing; " + HOW_TO_MAKE);
            }
            if (!Files.isReadable(f)) {
                throw new IllegalArgumentException("'" + f + "' is not readable by this user");
            }
            if (openToOthers(f)) {
                throw new IllegalArgumentException("'" + f + "' can be read by other users; chmod 600 it"
                        + " (the file is the cluster's secret)");
            }
        }
        String password;
        try {
            password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read '" + passwordFile + "': " + e.getMessage());
        }
        KeyStore ks;
        try (InputStream in = Files.newInputStream(keystore)) {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            boolean hasKey = false;
            for (String alias : Collections.list(ks.aliases())) {
                hasKey |= ks.isKeyEntry(alias);
            }
            if (!hasKey) {
                throw new IllegalArgumentException("'" + keystore + "' holds no private key; " + HOW_TO_MAKE);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("'" + keystore + "' cannot be opened with '" + passwordFile + "' ("
                    + e.getMessage() + "); " + HOW_TO_MAKE);
        }
        return new ClusterCredentials(dir, keystore, password, ks);
    }

    /** Group or world may read it (POSIX file systems only; elsewhere the check is skipped). */
    private static boolean openToOthers(Path f) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(f);
            return p.contains(PosixFilePermission.GROUP_READ) && !ownedByGroupForService(f)
                    || p.contains(PosixFilePermission.OTHERS_READ);
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    /**
     * Group-readable is fine when the file belongs to root and a service group (the Vagrant lab
     * installs credentials root:tandem 0640 so the tandem user reads them and cannot change them).
     */
    private static boolean ownedByGroupForService(Path f) throws IOException {
        return "root".equals(Files.getOwner(f).getName());
    }
}
