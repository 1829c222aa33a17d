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
    void warNodesRunTheJarsSessionLayerNotJettysStockStore() throws IOException {
        Path base = MODULE.getParent().getParent();
        assertThat(Files.readString(MODULE))
                .contains("tandem-sessions")
                .doesNotContain("session-cache-null")
                .doesNotContain("session-store-infinispan-embedded")
                .doesNotContain("jetty.session.savePeriod.seconds");
        assertThat(Files.readString(base.resolve("modules/tandem-sessions.mod")))
                .contains("lib/tandem/*.jar")
                .contains("etc/tandem-sessions.xml");
        assertThat(Files.readString(base.resolve("etc/tandem-sessions.xml")))
                .contains("dev.tandem.session.WarNodes").contains("forJetty");
        assertThat(Files.readString(base.resolve("webapps/ROOT.xml")))
                .contains("newHandlerFor").contains("webappViewFor");
    }

    @Test
    void everyJettyXmlFileOfTheBaseIsWellFormed() throws Exception {
        // Jetty reads them only when a WAR node starts; a stray "--" in a comment stops it there.
        Path base = MODULE.getParent().getParent();
        var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        try (var files = Files.walk(base)) {
            for (Path xml : files.filter(p -> p.toString().endsWith(".xml")).toList()) {
                factory.newDocumentBuilder().parse(xml.toFile());
            }
        }
    }
}
