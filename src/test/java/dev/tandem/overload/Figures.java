package dev.tandem.overload;

import java.util.List;
import java.util.Locale;

/** What a run of {@link OpenLoop} amounts to: goodput, refused share, latency of the answered. */
record Figures(int offered, long ok, long refused, long other, long noAnswer, long skipped, double seconds,
               long p50, long p99, long max, long refusedMax, long lagMax) {

    static Figures of(List<OpenLoop.Sample> samples, double seconds) {
        long ok = 0, refused = 0, other = 0, none = 0, skipped = 0, refusedMax = 0, max = 0, lag = 0;
        long[] okLatency = samples.stream().filter(s -> s.status() == 200).mapToLong(OpenLoop.Sample::latencyMillis)
                .sorted().toArray();
        for (OpenLoop.Sample s : samples) {
            if (s.skipped()) {
                skipped++;
            } else if (s.status() == 200) {
                ok++;
            } else if (s.status() == 503 || s.status() == 429) {
                refused++;
                refusedMax = Math.max(refusedMax, s.latencyMillis());
            } else if (s.status() == 0) {
                none++;
            } else {
                other++;
            }
            if (!s.skipped()) {
                max = Math.max(max, s.latencyMillis());
                lag = Math.max(lag, s.lagMillis());
            }
        }
        return new Figures(samples.size(), ok, refused, other, none, skipped, seconds, pct(okLatency, 0.50),
                pct(okLatency, 0.99), max, refusedMax, lag);
    }

    private static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    double goodput() {
        return ok / seconds;
    }

    double refusedShare() {
        return offered == 0 ? 0 : (double) refused / offered;
    }

    String line() {
        return String.format(Locale.ROOT, "offered %d (%.0f/s): ok %d (%.0f/s), refused %d (%.1f%%), other %d, no answer %d,"
                        + " not sent %d; answered 200 p50 %d ms p99 %d ms; max %d ms (refusals max %d ms); client sent at most %d ms late",
                offered, offered / seconds, ok, goodput(), refused, 100 * refusedShare(), other, noAnswer, skipped,
                p50, p99, max, refusedMax, lagMax);
    }
}
