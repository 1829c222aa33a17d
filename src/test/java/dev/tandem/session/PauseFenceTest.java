package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.Pause;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PauseFenceTest {

    @Test
    void timeBetweenBuildingTheFenceAndStartingItIsNotAPause() {
        try (PauseFence fence = new PauseFence(Duration.ofMillis(50), Duration.ofSeconds(30), Duration.ofSeconds(5))) {
            // Stands for a slow cluster join between construction and start.
            Pause.fully(Duration.ofMillis(200));
            fence.start();
            assertThat(fence.refusal()).isEmpty();
        }
    }

    @Test
    void aPauseLongerThanTheSuspectTimeRefusesUntilTheViewChanges() {
        try (PauseFence fence = new PauseFence(Duration.ofMillis(150), Duration.ofSeconds(30), Duration.ofSeconds(5))) {
            fence.start();
            // The fence's own ticker is starved by this thread holding its lock, as a SIGSTOP would.
            synchronized (fence) {
                Pause.fully(Duration.ofMillis(400));
            }
            assertThat(fence.refusal()).isPresent();
            fence.viewChanged();
            assertThat(fence.refusal()).isEmpty();
        }
    }
}
