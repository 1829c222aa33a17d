package dev.tandem.lifecycle;

import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The warm-up pass's failed requests, counted by kind, so its one log line says why they failed:
 * no answer in time (a node starved of CPU, e.g. several starting on one machine), a status of
 * 500 or more (the node's refusals or a bug), or the connection lost. An operator can then tell a
 * busy machine from a fault without turning on debug logging.
 */
final class WarmupFailures {
    static final String TIMEOUT = "not answered in time";

    private final Map<String, LongAdder> byKind = new ConcurrentHashMap<>();

    /** An answer with {@code status} (500 or more). */
    void answered(int status) {
        add("answered " + status);
    }

    /** A request that got no answer: timed out, or its connection failed. */
    void failed(Exception e) {
        add(e instanceof SocketTimeoutException ? TIMEOUT : "no answer (" + e.getClass().getSimpleName() + ")");
    }

    long total() {
        return byKind.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** {@code "0 failed"}, or {@code "5 failed: 3 answered 503, 2 not answered in time"}, the kinds by name. */
    String describe() {
        Map<String, Long> counts = new TreeMap<>();
        byKind.forEach((kind, n) -> counts.put(kind, n.sum()));
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return "0 failed";
        }
        return total + " failed: " + counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    private void add(String kind) {
        byKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }
}
