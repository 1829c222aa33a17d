package dev.tandem.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The request budget's own arithmetic. */
class OverloadLimitsTest {
    private static int clients(int maxRequests, int maxQueued) {
        return new OverloadLimits(maxRequests, maxQueued, Duration.ofMillis(200)).clientsNeverRefused();
    }

    @Test
    void clientsThatMayEachTakeTwoPlacesFitInTheSlotsAndTheQueueTogether() {
        assertThat(clients(16, 8)).isEqualTo(12);
        assertThat(clients(64, 8)).isEqualTo(36);
        for (int max = 1; max <= 64; max++) {
            for (int queued = 1; queued <= 64; queued++) {
                int n = clients(max, queued);
                assertThat(2 * n).as("%d and %d", max, queued).isLessThanOrEqualTo(Math.max(2, max + queued));
            }
        }
    }

    @Test
    void neverMoreClientsThanSlotsAndNeverNone() {
        assertThat(clients(2, 100)).isEqualTo(2);
        assertThat(clients(1, 1)).isEqualTo(1);
    }
}
