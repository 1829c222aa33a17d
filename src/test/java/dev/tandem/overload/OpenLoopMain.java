package dev.tandem.overload;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * bench/overload's client: {@code OpenLoopMain URL RATE SECONDS COOKIE_FILE} offers RATE requests per
 * second, each on a new connection (half GET /api/session, half POST /api/session/counter on the sessions in COOKIE_FILE, one
 * JSESSIONID value a line) for SECONDS, then prints one line of figures and one "key=value" line.
 * Bounded: at most 5,000 requests waiting at once, each cut off after 30 s; loopback only.
 */
public final class OpenLoopMain {
    private OpenLoopMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: OpenLoopMain URL RATE SECONDS COOKIE_FILE");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        int seconds = Integer.parseInt(args[2]);
        if (rate <= 0 || rate > 20_000 || seconds < 1 || seconds > 120) {
            throw new IllegalArgumentException("RATE must be 0-20000 and SECONDS 1-120");
        }
        List<String> cookies = Files.readAllLines(Path.of(args[3])).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        OpenLoop load = new OpenLoop(List.of(url), cookies, Duration.ofSeconds(30), 5000);
        Figures f = Figures.of(load.run(rate, Duration.ofSeconds(seconds)), seconds);
        System.out.println(f.line());
        System.out.println(String.format(Locale.ROOT,
                "offered_rps=%.0f goodput_rps=%.1f refused_share=%.3f p50_ms=%d p99_ms=%d max_ms=%d other=%d no_answer=%d not_sent=%d lag_ms=%d",
                f.offered() / (double) seconds, f.goodput(), f.refusedShare(), f.p50(), f.p99(), f.max(), f.other(),
                f.noAnswer(), f.skipped(), f.lagMax()));
        System.exit(0);
    }
}
