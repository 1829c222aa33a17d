package dev.tandem.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The build's version, from the filtered version.properties (no CLI classes: the WAR uses it too). */
public final class BuildVersion {
    private BuildVersion() {}

    public static String current() {
        try (InputStream in = BuildVersion.class.getResourceAsStream("/dev/tandem/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
