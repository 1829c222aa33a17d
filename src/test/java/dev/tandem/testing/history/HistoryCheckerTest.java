package dev.tandem.testing.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.history.HistoryChecker.FinalState;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checker's rules for sessions that change id (logins), on histories written by hand. */
class HistoryCheckerTest {
    private long clock;

    @Test
    void aSessionThatLoggedInIsCheckedAcrossItsIdsUnderItsFirstName() {
        History h = new History();
        h.add(increment(1));
        h.add(login(Op.Outcome.OK, "200 {}"));
        h.add(increment(2));
        h.add(read(2));

        HistoryChecker.Report report = HistoryChecker.check(h, Map.of("s", new FinalState(2, Set.of())));

        assertThat(report.problems()).isEmpty();
        assertThat(report.valid()).isTrue();
        assertThat(HistoryChecker.lostTheirId(h)).isEmpty();
    }

    @Test
    void aReadAfterALoginThatSeesLessThanWasAcknowledgedBeforeIsStale() {
        History h = new History();
        h.add(increment(1));
        h.add(increment(2));
        h.add(login(Op.Outcome.OK, "200 {}"));
        h.add(read(1));

        HistoryChecker.Report report = HistoryChecker.check(h, Map.of("s", new FinalState(2, Set.of())));

        assertThat(report.stale()).isEqualTo(1);
        assertThat(report.valid()).isFalse();
    }

    @Test
    void aSessionWhoseLastLoginGotNoAnswerHasNoFinalStateToCheckAndLosesNothing() {
        History h = new History();
        h.add(increment(1));
        h.add(login(Op.Outcome.UNKNOWN, HistoryChecker.NO_ANSWER + "timed out"));

        HistoryChecker.Report report = HistoryChecker.check(h, Map.of());

        assertThat(HistoryChecker.lostTheirId(h)).containsExactly("s");
        assertThat(report.problems()).isEmpty();
        assertThat(report.lost()).isZero();
    }

    @Test
    void aSessionWhoseLastLoginWasAnsweredMustStillBeReadAtTheEnd() {
        History h = new History();
        h.add(increment(1));
        h.add(login(Op.Outcome.UNKNOWN, "503 {\"error\":\"session_unavailable\"}"));

        HistoryChecker.Report report = HistoryChecker.check(h, Map.of());

        assertThat(HistoryChecker.lostTheirId(h)).isEmpty();
        assertThat(report.lost()).isEqualTo(1);
        assertThat(report.problems()).containsExactly("s: no final state");
    }

    private Op increment(long value) {
        return op(Op.Kind.INCREMENT, Op.Outcome.OK, value, "");
    }

    private Op read(long value) {
        return op(Op.Kind.READ, Op.Outcome.OK, value, "");
    }

    private Op login(Op.Outcome outcome, String detail) {
        return op(Op.Kind.LOGIN, outcome, 0, detail);
    }

    /** One operation of client 0 on session "s", each after the one before. */
    private Op op(Op.Kind kind, Op.Outcome outcome, long value, String detail) {
        long invoked = clock += 10;
        long completed = clock += 5;
        return new Op(0, "s", kind, null, invoked, completed, outcome, value, "n1", false, detail);
    }
}
