package dev.tandem.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class WarmupFailuresTest {
    @Test
    void aPassWithoutFailuresSaysSoInFewWords() {
        WarmupFailures failures = new WarmupFailures();

        assertThat(failures.total()).isZero();
        assertThat(failures.describe()).isEqualTo("0 failed");
    }

    @Test
    void failuresAreCountedByKindSoTheLineSaysWhyTheyFailed() {
        WarmupFailures failures = new WarmupFailures();
        failures.answered(503);
        failures.answered(503);
        failures.answered(500);
        failures.failed(new SocketTimeoutException("Read timed out"));
        failures.failed(new EOFException("the node closed the connection mid-response"));

        assertThat(failures.total()).isEqualTo(5);
        assertThat(failures.describe()).isEqualTo(
                "5 failed: 1 answered 500, 2 answered 503, 1 no answer (EOFException), 1 not answered in time");
    }
}
