package dev.tandem.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tests that need a tool (HAProxy, keepalived) or root skip outside CI, saying why; under CI=true
 * a missing requirement fails the build instead, so CI can never pass by skipping.
 */
public final class Requirements {
    private Requirements() {}

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static void command(String name) {
        require(onPath(name), name + " is not installed (run: sudo bin/install-deps)");
    }

    public static void root() {
        root("network namespaces");
    }

    /** Skips outside CI (fails under CI) unless the tests run as root, which they need for {@code what}. */
    public static void root(String what) {
        require("root".equals(System.getProperty("user.name")), "needs root (" + what + "); run as root or in CI");
    }

    public static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    private static void require(boolean met, String why) {
        if (!met) {
            if (underCi()) {
                fail("CI=true and " + why);
            }
            System.out.println("SKIPPED: " + why);
            assumeTrue(false, why);
        }
    }
}
