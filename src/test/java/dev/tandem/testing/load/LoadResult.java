package dev.tandem.testing.load;

import dev.tandem.testing.TestHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Everything the load driver saw, Jepsen-style: each operation is ok, failed (a read that got no
 * answer: a real failure) or unknown (a write cut off mid-flight: it may or may not have happened).
 */
public final class LoadResult {
    final AtomicLong writesOk = new AtomicLong();
    final AtomicLong writesUnknown = new AtomicLong();
    final AtomicLong readsOk = new AtomicLong();
    final AtomicLong readsFailed = new AtomicLong();
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    /** Every failed request counted by kind ("GET 503 session_unavailable"), the sample above is capped. */
    final Map<String, LongAdder> failureKinds = new ConcurrentHashMap<>();
    final List<UserOutcome> users = Collections.synchronizedList(new ArrayList<>());
    /** Every operation, one line each (invoked, user, op, outcome, status, node, value, request id). */
    final Queue<String> history = new ConcurrentLinkedQueue<>();
    long elapsedMillis;

    /** Per virtual user: what it saw acknowledged, what it attempted, and what the server holds at the end. */
    public record UserOutcome(int user, String sessionId, long acknowledged, long attempted, long finalValue) {
        /** Fewer at the end than were acknowledged; -1 (no final read answered) is a violation of its own. */
        public boolean lostWrites() {
            return finalValue >= 0 && finalValue < acknowledged;
        }

        public boolean appliedTwice() {
            return finalValue > attempted;
        }
    }

    public long writesOk() {
        return writesOk.get();
    }

    public long writesUnknown() {
        return writesUnknown.get();
    }

    public long readsOk() {
        return readsOk.get();
    }

    public long readsFailed() {
        return readsFailed.get();
    }

    public long requests() {
        return writesOk() + writesUnknown() + readsOk() + readsFailed();
    }

    /** Counter went backwards, a read saw less than was acknowledged, and the like. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** A sample of what went wrong, for the test's message. */
    public List<String> failureSamples() {
        synchronized (failures) {
            return List.copyOf(failures.subList(0, Math.min(20, failures.size())));
        }
    }

    /**
     * Writes every failed request (in-flight requests of a killed node fail by design) to {@code file},
     * and the whole history beside it (NAME-history.txt), and returns a short pointer for the test's
     * line of figures: a green run stays quiet.
     */
    public String writeFailures(Path file) {
        List<String> all;
        synchronized (failures) {
            all = List.copyOf(failures);
        }
        String name = file.getFileName().toString().replace("-failed-requests", "").replace(".txt", "");
        Path historyFile = file.resolveSibling(name + "-history.txt");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(historyFile, List.copyOf(history));
            if (all.isEmpty()) {
                return "no failed requests";
            }
            Files.write(file, all);
        } catch (IOException e) {
            return failureKinds() + " (could not write " + file + " or " + historyFile + ": " + e.getMessage() + ")";
        }
        return failureKinds() + ", the first " + all.size() + " in " + file;
    }

    /** The failed requests by kind, most frequent first: "failed: 98 GET 503 session_unavailable, 4 POST timeout". */
    public String failureKinds() {
        Map<String, Long> counts = new TreeMap<>();
        failureKinds.forEach((kind, n) -> counts.put(kind, n.sum()));
        return "failed: " + counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
    }

    public List<UserOutcome> users() {
        return List.copyOf(users);
    }

    public long lostWrites() {
        return users().stream().filter(UserOutcome::lostWrites).mapToLong(u -> u.acknowledged() - u.finalValue()).sum();
    }

    /** The users whose final value disagrees with their history, and the violations, for a failing test's message. */
    public String anomalies() {
        StringBuilder out = new StringBuilder();
        users().stream().filter(u -> u.lostWrites() || u.appliedTwice()).forEach(u -> out.append(String.format(
                "%n  user %d (session %s): %d acknowledged, %d attempted, %d at the end",
                u.user(), u.sessionId(), u.acknowledged(), u.attempted(), u.finalValue())));
        violations().stream().limit(10).forEach(v -> out.append("\n  ").append(v));
        return out.toString();
    }

    public long appliedTwice() {
        return users().stream().filter(UserOutcome::appliedTwice).count();
    }

    public long elapsedMillis() {
        return elapsedMillis;
    }

    public String summary() {
        return String.format("requests=%d writesOk=%d writesUnknown=%d readsOk=%d readsFailed=%d "
                        + "lostAcknowledgedWrites=%d usersWithDoubleApply=%d violations=%d elapsedMs=%d",
                requests(), writesOk(), writesUnknown(), readsOk(), readsFailed(), lostWrites(),
                appliedTwice(), violations.size(), elapsedMillis);
    }

    /** One operation of the history: {@code reply} is null when no answer came. */
    void record(LocalTime invoked, int user, String op, String outcome, TestHttp.Reply reply, long value) {
        history.add(String.format("%s +%dms user=%d %s %s status=%s node=%s value=%s id=%s", invoked,
                Duration.between(invoked, LocalTime.now()).toMillis(), user, op, outcome,
                reply == null ? "-" : reply.status(), reply == null ? "-" : reply.node(), value < 0 ? "-" : value,
                reply == null ? "-" : reply.header("X-Request-Id")));
    }

    /** One failed request: {@code kind} is counted always, {@code what} kept among the first 200. */
    void fail(String kind, String what) {
        failureKinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (failures.size() < 200) {
            failures.add(what);
        }
    }
}
