package dev.tandem.config;

import static dev.tandem.config.ConfigFixture.FOREIGN;
import static dev.tandem.config.ConfigFixture.file;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bad value stops start-up, naming the option and the reason. */
class ConfigRefusalsTest {
    @TempDir
    Path dir;

    private final ConfigFixture config = new ConfigFixture();

    @Test
    void aPortAbove65535IsRefused() {
        config.refused("--port", "--port", "99999").hasMessageContaining("99999").hasMessageContaining("0-65535");
    }

    @Test
    void aWarmUpOfMoreThan120SecondsIsRefusedSoReadinessIsNeverHeldBackLong() {
        config.refused("--warmup-seconds", "--warmup-seconds", "121").hasMessageContaining("0-120");
    }

    @Test
    void aPortThatIsNotANumberInTheEnvironmentIsRefused() {
        config.env.put("TANDEM_PORT", "abc");
        config.refused("--port").hasMessageContaining("abc");
    }

    @Test
    void aNodeNameWithADotIsRefusedBecauseItWouldBreakTheSessionIdSuffix() {
        config.refused("--node", "--node", "web.01").hasMessageContaining("web.01").hasMessageContaining("no dots");
    }

    @Test
    void aPeerWithPortZeroIsRefused() {
        config.refused("--peers", "--peers", "a:0").hasMessageContaining("a:0").hasMessageContaining("port");
    }

    @Test
    void anUnknownKeyInTheConfigFileIsRefused() throws IOException {
        config.refused("--config", "--config", file(dir, "prot=8081").toString()).hasMessageContaining("unknown key 'prot'");
    }

    @Test
    void aMissingConfigFileIsRefused() {
        String missing = dir.resolve("nope.properties").toString();
        config.refused("--config", "--config", missing).hasMessageContaining("cannot read").hasMessageContaining(missing)
                .hasMessageEndingWith(": no such file");
    }

    @Test
    void aConfigFileThatIsADirectoryIsRefused() {
        config.refused("--config", "--config", dir.toString()).hasMessageContaining("cannot read")
                .hasMessageEndingWith(": it is a directory");
    }

    @Test
    void aWildcardClusterHostIsRefused() {
        config.refused("--cluster-host", "--cluster-host", "0.0.0.0").hasMessageContaining("wildcard");
    }

    @Test
    void aClusterHostThatIsNotAnAddressOfThisMachineIsRefused() {
        config.refused("--cluster-host", "--cluster-host", FOREIGN).hasMessageContaining("not an address of this machine");
    }

    @Test
    void negativeDrainSecondsAreRefused() {
        config.refused("--drain-seconds", "--drain-seconds=-1").hasMessageContaining("-1").hasMessageContaining("0-600");
    }

    @Test
    void aTrustedProxyPrefixLongerThan32BitsIsRefused() {
        config.refused("--trusted-proxies", "--trusted-proxies", "10.0.0.0/33").hasMessageContaining("10.0.0.0/33");
    }

    @Test
    void sessionClassesWithANegationAreRefusedSoTheAllowListCannotBeUndone() {
        config.refused("--session-classes", "--session-classes", "!com.acme.*").hasMessageContaining("!com.acme.*");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--cluster-port|65500", "--session-timeout|5", "--stop-timeout|0", "--drain-seconds|601",
        "--events-write-timeout|0", "--events-write-timeout|301",
        "--cluster-name|a b", "--host|bad host!", "--node|_leading-underscore", "--trusted-proxies|example.com"})
    void otherOutOfRangeNumbersAndBadNamesAreRefusedByName(String option, String value) {
        config.refused(option, option, value);
    }

    @Test
    void anUnknownCommandLineOptionIsRefused() {
        assertThatThrownBy(() -> config.load("--nope")).isInstanceOf(ConfigException.class).hasMessageContaining("--nope");
    }
}
