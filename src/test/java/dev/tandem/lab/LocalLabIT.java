package dev.tandem.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.eclipse.jetty.util.IO;
import org.junit.jupiter.api.Test;

/** The lab's own teardown, which every lab test relies on to leave nothing behind. */
class LocalLabIT {

    @Test
    void closeKillsAndNamesAProcessStartedInTheLabsDirThatOutlivedItsDownWithItsChildrenAndRemovesTheDir() throws Exception {
        LocalLab lab = new LocalLab("tll", "127.0.19", 1);
        // A process the lab's down does not know, with the lab's dir on its command line (as a node's is);
        // two commands, so that bash does not exec sleep in its place.
        Process stray = new ProcessBuilder("bash", "-c", "sleep 300; exit", lab.dir().resolve("stray").toString()).start();
        try {
            Awaitility.await("the stray process runs").atMost(Duration.ofSeconds(10))
                    .until(() -> stray.info().commandLine().orElse("").contains(lab.dir().toString())
                            && stray.descendants().findAny().isPresent());
            List<ProcessHandle> children = stray.descendants().toList();
            assertThatThrownBy(lab::close).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("processes left by the lab").hasMessageContaining(Long.toString(stray.pid()));
            assertThat(stray.isAlive()).as("the stray process, after close").isFalse();
            assertThat(children).as("its children, after close").noneMatch(ProcessHandle::isAlive);
            assertThat(Files.exists(lab.dir())).as("the lab's dir, after close").isFalse();
        } finally {
            stray.descendants().forEach(ProcessHandle::destroyForcibly);
            stray.destroyForcibly();
            IO.delete(lab.dir());
        }
    }
}
