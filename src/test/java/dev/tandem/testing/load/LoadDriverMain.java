package dev.tandem.testing.load;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The load driver as a process, for places a test thread cannot reach (a client network
 * namespace): {@code java -cp target/test-classes:target/tandem.jar dev.tandem.testing.load.LoadDriverMain
 * --target http://10.77.0.10 --users 4 --ops 300 --seconds 60}. Prints a progress line every second
 * and a final {@code RESULT key=value ...} line; exits 1 if an acknowledged write was lost.
 */
public final class LoadDriverMain {
    private LoadDriverMain() {}

    public static void main(String[] args) throws Exception {
        List<URI> targets = new ArrayList<>();
        int users = 4;
        int ops = 300;
        int seconds = 60;
        int pauseMs = 20;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--target" -> targets.add(URI.create(args[i + 1]));
                case "--users" -> users = Integer.parseInt(args[i + 1]);
                case "--ops" -> ops = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--pause-ms" -> pauseMs = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("give at least one --target URL");
        }
        LoadDriver driver = new LoadDriver(targets, users, ops, Duration.ofSeconds(seconds), Duration.ofMillis(pauseMs));
        CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(driver::run);
        while (!run.isDone()) {
            LoadResult p = driver.progress();
            System.out.printf(Locale.ROOT, "PROGRESS writesOk=%d writesUnknown=%d readsOk=%d readsFailed=%d%n",
                    p.writesOk(), p.writesUnknown(), p.readsOk(), p.readsFailed());
            System.out.flush();
            try {
                run.get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // print progress again
            }
        }
        LoadResult r = run.get();
        r.failureSamples().forEach(f -> System.out.println("SAMPLE " + f));
        if (!r.failureSamples().isEmpty()) {
            System.out.println("FAILED " + r.failureKinds());
        }
        r.violations().forEach(v -> System.out.println("VIOLATION " + v));
        System.out.printf(Locale.ROOT, "RESULT writesOk=%d writesUnknown=%d readsOk=%d readsFailed=%d lost=%d doubled=%d violations=%d elapsedMs=%d%n",
                r.writesOk(), r.writesUnknown(), r.readsOk(), r.readsFailed(), r.lostWrites(), r.appliedTwice(),
                r.violations().size(), r.elapsedMillis());
        System.exit(r.lostWrites() == 0 && r.violations().isEmpty() && r.appliedTwice() == 0 ? 0 : 1);
    }
}
