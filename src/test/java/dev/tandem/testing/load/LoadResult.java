package dev.tandem.testing.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

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
    final List<UserOutcome> users = Collections.synchronizedList(new ArrayList<>());
    long elapsedMillis;

    /** Per virtual user: what it saw acknowledged, what it attempted, and what the server holds at the end. */
    public record UserOutcome(int user, long acknowledged, long attempted, long finalValue) {
        public boolean lostWrites() {
            return finalValue < acknowledged;
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
     * Writes every failed request (in-flight requests of a killed node fail by design) to {@code file}
     * and returns a short pointer for the test's line of figures: a green run stays quiet.
     */
    public String writeFailures(java.nio.file.Path file) {
        List<String> all;
        synchronized (failures) {
            all = List.copyOf(failures);
        }
        if (all.isEmpty()) {
            return "no failed requests";
        }
        try {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            java.nio.file.Files.write(file, all);
        } catch (java.io.IOException e) {
            return all.size() + " failed requests (could not write " + file + ": " + e.getMessage() + ")";
        }
        return all.size() + " failed requests in " + file;
    }

    public List<UserOutcome> users() {
        return List.copyOf(users);
    }

    public long lostWrites() {
        return users().stream().filter(UserOutcome::lostWrites).mapToLong(u -> u.acknowledged() - u.finalValue()).sum();
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

    void fail(String what) {
        if (failures.size() < 200) {
            failures.add(what);
        }
    }
}
