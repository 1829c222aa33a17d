package dev.tandem.testing.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a history of session operations the way Jepsen checks a register, per session:
 * <ul>
 *   <li>acknowledged increments are all present (the final counter is at least their number) and
 *   distinct (no value acknowledged twice), and nothing appears that nobody sent;</li>
 *   <li>no read goes backwards: a read or increment that started after an increment was
 *   acknowledged sees at least that value;</li>
 *   <li>acknowledged attribute writes are all present in the final state;</li>
 *   <li>no answer came from a replaced session (a fresh session handed out for a known id).</li>
 * </ul>
 * A session keeps its name in the history (its first id) through logins: its client goes on under
 * the new id, and a read under it must still see every increment acknowledged before.
 */
public final class HistoryChecker {
    private HistoryChecker() {}

    /** What each session holds at the end, read once the cluster has settled. */
    public record FinalState(long counter, Set<String> attributes) {}

    public record Report(long operations, long acknowledged, long failed, long unknown, long lost, long duplicated,
                         long stale, long replaced, long phantom, long attributesLost, List<String> problems) {
        public boolean valid() {
            return lost == 0 && duplicated == 0 && stale == 0 && replaced == 0 && phantom == 0 && attributesLost == 0;
        }

        /** One line of figures, for the test log. */
        public String summary() {
            return String.format("operations=%d acknowledged=%d failed=%d unknown=%d lost=%d duplicated=%d stale=%d "
                            + "replaced=%d phantom=%d attributesLost=%d", operations, acknowledged, failed, unknown, lost,
                    duplicated, stale, replaced, phantom, attributesLost);
        }
    }

    /** How an operation's detail starts when it got no answer at all (cut off, timed out). */
    public static final String NO_ANSWER = "no answer: ";

    /**
     * The sessions whose client lost their id: their last operation is a login that got no answer
     * (it may have changed the id), after which the client stops. Their final state is not read.
     */
    public static Set<String> lostTheirId(History history) {
        Map<String, Op> last = new HashMap<>();
        for (Op o : history.ops()) {
            last.merge(o.session(), o, (x, y) -> y.invokedNanos() > x.invokedNanos() ? y : x);
        }
        return last.values().stream()
                .filter(o -> o.kind() == Op.Kind.LOGIN && String.valueOf(o.detail()).startsWith(NO_ANSWER))
                .map(Op::session).collect(Collectors.toSet());
    }

    public static Report check(History history, Map<String, FinalState> finals) {
        List<Op> ops = history.ops();
        List<String> problems = new ArrayList<>();
        long lost = 0, duplicated = 0, stale = 0, phantom = 0, attributesLost = 0;
        Map<String, List<Op>> bySession = ops.stream().collect(Collectors.groupingBy(Op::session));
        Set<String> lostTheirId = lostTheirId(history);
        for (Map.Entry<String, List<Op>> e : bySession.entrySet()) {
            String session = e.getKey();
            List<Op> s = e.getValue();
            FinalState fin = finals.get(session);
            List<Op> acked = s.stream().filter(o -> o.kind() == Op.Kind.INCREMENT && o.ok()).toList();
            long unknownIncrements = s.stream().filter(o -> o.kind() == Op.Kind.INCREMENT && o.outcome() == Op.Outcome.UNKNOWN).count();
            Set<Long> seen = new HashSet<>();
            for (Op o : acked) {
                if (!seen.add(o.value())) {
                    duplicated++;
                    problems.add(session + ": value " + o.value() + " acknowledged twice");
                }
            }
            if (fin == null && lostTheirId.contains(session)) {
                continue; // its client cannot name it any more; what it saw before is checked above
            }
            if (fin == null) {
                problems.add(session + ": no final state");
                lost += acked.size();
                continue;
            }
            if (fin.counter() < acked.size()) {
                lost += acked.size() - fin.counter();
                problems.add(session + ": final counter " + fin.counter() + " < " + acked.size() + " acknowledged increments");
            }
            long maxAcked = acked.stream().mapToLong(Op::value).max().orElse(0);
            if (fin.counter() < maxAcked) {
                problems.add(session + ": rolled back: final counter " + fin.counter() + " < acknowledged value " + maxAcked);
                lost += Math.max(0, maxAcked - fin.counter() - Math.max(0, acked.size() - fin.counter()));
            }
            if (fin.counter() > acked.size() + unknownIncrements) {
                phantom++;
                problems.add(session + ": final counter " + fin.counter() + " > acknowledged + unknown increments");
            }
            stale += staleReads(session, s, problems);
            for (Op o : s) {
                if (o.kind() == Op.Kind.PUT_ATTRIBUTE && o.ok() && !fin.attributes().contains(o.arg())) {
                    attributesLost++;
                    problems.add(session + ": acknowledged attribute " + o.arg() + " missing at the end");
                }
            }
        }
        long replaced = ops.stream().filter(Op::replaced).count();
        ops.stream().filter(Op::replaced).limit(5)
                .forEach(o -> problems.add(o.session() + ": answered from a replaced session by " + o.node() + " (" + o.detail() + ")"));
        long acknowledged = ops.stream().filter(Op::ok).count();
        long failed = ops.stream().filter(o -> o.outcome() == Op.Outcome.FAILED).count();
        long unknown = ops.stream().filter(o -> o.outcome() == Op.Outcome.UNKNOWN).count();
        return new Report(ops.size(), acknowledged, failed, unknown, lost, duplicated, stale, replaced, phantom,
                attributesLost, problems);
    }

    /** A read or increment that started after an increment was acknowledged must see at least its value. */
    private static long staleReads(String session, List<Op> s, List<String> problems) {
        List<Op> acked = s.stream().filter(o -> o.kind() == Op.Kind.INCREMENT && o.ok())
                .sorted(Comparator.comparingLong(Op::completedNanos)).toList();
        long stale = 0;
        for (Op o : s) {
            if (!o.ok() || (o.kind() != Op.Kind.INCREMENT && o.kind() != Op.Kind.READ)) {
                continue; // an attribute write or a login sees no counter
            }
            long floor = 0;
            for (Op a : acked) {
                if (a.completedNanos() >= o.invokedNanos()) {
                    break;
                }
                floor = Math.max(floor, a.value());
            }
            long seenValue = o.kind() == Op.Kind.INCREMENT ? o.value() - 1 : o.value();
            if (seenValue < floor) {
                stale++;
                if (stale <= 5) {
                    problems.add(session + ": " + o.kind() + " by client " + o.client() + " on " + o.node()
                            + " saw " + seenValue + " after " + floor + " was acknowledged");
                }
            }
        }
        return stale;
    }
}
