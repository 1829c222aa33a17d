package dev.tandem.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * On every test (registered for all through META-INF/services): the test JVM's logs go to
 * the file logback-test.xml names, never to the console. Each test's lines start with a marker
 * line there, and a failing test prints where they are, next to Surefire's own report.
 */
public final class TestLog implements BeforeEachCallback, TestWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(TestLog.class);

    static {
        // Jersey, JGroups and the JDK's HTTP client log through java.util.logging, whose default
        // handler prints to stderr: send it to SLF4J (the file) from the first test on.
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** Where this JVM's log lines go (Surefire and Failsafe set it, see pom.xml). */
    public static Path file() {
        return Path.of(System.getProperty("tandem.test.log", "target/test-logs/tests.log")).toAbsolutePath();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        LOG.info("==== {}", name(context));
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        LOG.info("==== {} FAILED: {}", name(context), cause.toString());
        System.out.printf("[test log] %s failed; its log lines follow '==== %s' in %s%n", name(context),
                name(context), file());
    }

    private static String name(ExtensionContext context) {
        return context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
    }
}
