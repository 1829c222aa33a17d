package dev.tandem.config;

import static dev.tandem.config.ConfigFixture.file;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --session-lifetime and --max-sessions: from every source, with their defaults, and refused when wrong. */
class SessionLimitsConfigTest {
    @TempDir
    Path dir;

    private final ConfigFixture config = new ConfigFixture();

    private SessionLimits load(String... args) {
        return config.load(args).sessionLimits();
    }

    private void refused(String option, String reason, String... args) {
        config.refused(option, args).hasMessageContaining(reason);
    }

    @Test
    void byDefaultASessionLivesAtMost12HoursAndTheCapIsOneSessionPerMiBOfMaxHeap() {
        SessionLimits limits = load();
        assertThat(limits.absoluteLifetime()).isEqualTo(Duration.ofHours(12));
        assertThat(limits.maxSessions()).isEqualTo((int) (Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        assertThat(SessionLimits.derivedMaxSessions(512L * 1024 * 1024)).isEqualTo(512);
        assertThat(SessionLimits.derivedMaxSessions(64L * 1024 * 1024)).isEqualTo(64);
        assertThat(SessionLimits.derivedMaxSessions(100)).as("never zero").isEqualTo(1);
    }

    @Test
    void bothComeFromTheCommandLineTheEnvironmentAndTheConfigFile() throws IOException {
        assertThat(load("--session-lifetime", "3600", "--max-sessions", "5000"))
                .isEqualTo(new SessionLimits(Duration.ofHours(1), 5000));

        config.env.put("TANDEM_SESSION_LIFETIME", "7200");
        config.env.put("TANDEM_MAX_SESSIONS", "70");
        assertThat(load()).isEqualTo(new SessionLimits(Duration.ofHours(2), 70));
        config.env.remove("TANDEM_SESSION_LIFETIME");
        config.env.remove("TANDEM_MAX_SESSIONS");

        Path f = file(dir, "session-lifetime=86400", "max-sessions=9");
        assertThat(load("--config", f.toString())).isEqualTo(new SessionLimits(Duration.ofDays(1), 9));
    }

    @Test
    void aLifetimeShorterThanTheIdleTimeoutOrOutOfRangeStopsStartUp() {
        refused("--session-lifetime", "shorter than --session-timeout", "--session-lifetime", "600", "--session-timeout", "1800");
        refused("--session-lifetime", "outside 60-2592000", "--session-lifetime", "59", "--session-timeout", "10");
        refused("--session-lifetime", "outside 60-2592000", "--session-lifetime", "2592001");
        refused("--session-lifetime", "not a whole number", "--session-lifetime", "12h");
    }

    @Test
    void aNegativeOrAbsurdSessionCapStopsStartUp() {
        refused("--max-sessions", "outside 0-10000000", "--max-sessions", "-1");
        refused("--max-sessions", "outside 0-10000000", "--max-sessions", "10000001");
        config.env.put("TANDEM_MAX_SESSIONS", "lots");
        refused("--max-sessions", "not a whole number");
    }
}
