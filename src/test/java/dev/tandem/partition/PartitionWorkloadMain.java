package dev.tandem.partition;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testing.history.HistoryChecker;
import dev.tandem.testing.history.Op;
import dev.tandem.testing.history.SessionWorkload;
import dev.tandem.testing.history.SessionWorkload.Mix;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The history workload as a process, for a place the test JVM cannot reach (the lab's client
 * namespace): {@code ip netns exec NS java -cp target/test-classes:target/tandem.jar
 * dev.tandem.partition.PartitionWorkloadMain --target URL... --clients 6 --sessions 3 --ops N
 * --seconds S --out DIR [--login-client C]}. Client c works on session c % sessions and sends its
 * requests to every target in turn, starting at target c; client C (alone on its session) logs in
 * too ({@link Mix#LOGINS_INCREMENTS_AND_READS}).
 * <p>
 * Commands on stdin, one a line: {@code mark NAME} (remember this instant under NAME, in the
 * history's clock), {@code stop} (end the load now), {@code final} (after the load: read every
 * session from each target on its own). It writes DIR/history.jsonl (one {@link Op} a line),
 * DIR/marks.json, DIR/finals.json ({target: {session: final state}}) and DIR/final-read-ms.json (how
 * long each target took to give every session, 40 s at most), and prints
 * {@code PROGRESS completed=N} every second, {@code LOAD_DONE}, {@code FINAL_DONE}. End of stdin
 * (the test is gone) ends it.
 */
public final class PartitionWorkloadMain {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PartitionWorkloadMain() {}

    public static void main(String[] args) throws Exception {
        List<URI> targets = new ArrayList<>();
        int clients = 6;
        int sessions = 3;
        int ops = 5_000;
        int seconds = 120;
        Path out = null;
        int loginClient = -1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--target" -> targets.add(URI.create(args[i + 1]));
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--sessions" -> sessions = Integer.parseInt(args[i + 1]);
                case "--ops" -> ops = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                case "--login-client" -> loginClient = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (targets.isEmpty() || out == null) {
            throw new IllegalArgumentException("give --target URL (one or more) and --out DIR");
        }
        int n = targets.size();
        int logsIn = loginClient;
        SessionWorkload w = new SessionWorkload(clients, sessions, c -> rotated(targets, c % n),
                c -> c == logsIn ? Mix.LOGINS_INCREMENTS_AND_READS : Mix.INCREMENTS_AND_READS, ops, Duration.ofSeconds(seconds))
                // A cut-off node's lock attempt ends in 3 s (503); 10 s leaves room for a slow but healthy answer.
                .requestTimeout(Duration.ofSeconds(10));
        Map<String, Long> marks = new ConcurrentHashMap<>();
        CountDownLatch finalRequested = new CountDownLatch(1);
        Thread commands = new Thread(() -> readCommands(w, marks, finalRequested), "commands");
        commands.setDaemon(true);
        commands.start();

        marks.put("start", System.nanoTime());
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                w.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (!run.isDone()) {
            System.out.println("PROGRESS completed=" + w.completed());
            System.out.flush();
            try {
                run.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // print progress again
            }
        }
        run.get();
        marks.put("end", System.nanoTime());
        try (var writer = Files.newBufferedWriter(out.resolve("history.jsonl"))) {
            for (Op op : w.history().ops()) {
                writer.write(MAPPER.writeValueAsString(op));
                writer.newLine();
            }
        }
        MAPPER.writeValue(out.resolve("marks.json").toFile(), marks);
        System.out.println("LOAD_DONE completed=" + w.completed());
        System.out.flush();

        if (!finalRequested.await(180, TimeUnit.SECONDS)) {
            System.out.println("no 'final' command within 180 s");
            System.exit(3);
        }
        // Every target on its own and all at once; the budget outlasts a session lock's lease (30 s),
        // the longest a lock whose release went astray can keep a session busy.
        Map<String, CompletableFuture<Map<String, HistoryChecker.FinalState>>> reads = new LinkedHashMap<>();
        Map<String, Long> readMillis = new ConcurrentHashMap<>();
        for (URI t : targets) {
            reads.put(t.toString(), CompletableFuture.supplyAsync(() -> {
                long begin = System.nanoTime();
                Map<String, HistoryChecker.FinalState> states = w.finalStates(List.of(t), Duration.ofSeconds(40));
                readMillis.put(t.toString(), (System.nanoTime() - begin) / 1_000_000);
                return states;
            }, runnable -> new Thread(runnable, "final-" + t.getHost()).start()));
        }
        Map<String, Map<String, HistoryChecker.FinalState>> finals = new LinkedHashMap<>();
        for (var e : reads.entrySet()) {
            finals.put(e.getKey(), e.getValue().get());
        }
        MAPPER.writeValue(out.resolve("finals.json").toFile(), finals);
        MAPPER.writeValue(out.resolve("final-read-ms.json").toFile(), readMillis);
        System.out.println("FINAL_DONE");
        System.out.flush();
        System.exit(0);
    }

    private static List<URI> rotated(List<URI> targets, int first) {
        List<URI> out = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            out.add(targets.get((first + i) % targets.size()));
        }
        return out;
    }

    private static void readCommands(SessionWorkload w, Map<String, Long> marks, CountDownLatch finalRequested) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String cmd = line.trim();
                if (cmd.startsWith("mark ")) {
                    marks.put(cmd.substring(5).trim(), System.nanoTime());
                } else if (cmd.equals("stop")) {
                    w.stop();
                } else if (cmd.equals("final")) {
                    finalRequested.countDown();
                }
            }
        } catch (java.io.IOException e) {
            // stdin gone: same as its end
        }
        // The test that drives us is gone: never outlive it.
        System.out.println("stdin closed: exiting");
        System.out.flush();
        System.exit(4);
    }
}
