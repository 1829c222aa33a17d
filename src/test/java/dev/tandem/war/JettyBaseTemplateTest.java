package dev.tandem.war;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.session.SessionSerialFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The WAR's jetty-base must guard and configure sessions exactly as the fat jar does. */
class JettyBaseTemplateTest {
    private static final Path MODULE = Path.of("src/main/jetty-base/modules/tandem.mod");

    @Test
    void warNodesUseTheSameSerialFilterAsJarNodes() throws IOException {
        String line = Files.readAllLines(MODULE).stream()
                .filter(l -> l.startsWith("-Djdk.serialFilter="))
                .findFirst().orElseThrow();
        assertThat(line.substring("-Djdk.serialFilter=".length())).isEqualTo(SessionSerialFilter.pattern(""));
    }

    @Test
    void warNodesFlushSessionsBeforeTheResponseAndSerializeAttributes() throws IOException {
        String module = Files.readString(MODULE);
        assertThat(module)
                .contains("session-cache-null")
                .contains("jetty.session.flushOnResponseCommit=true")
                .contains("jetty.session.saveOnCreate=true")
                .contains("jetty.session.infinispan.serialization=true")
                .contains("jetty.session.savePeriod.seconds=30");
    }
}
