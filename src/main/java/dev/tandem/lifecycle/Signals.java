package dev.tandem.lifecycle;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a drain instead of the JVM's default exit (code 143 and no drain
 * window); the process then exits 0 when the drain is done.
 */
public final class Signals {
    private Signals() {}

    public static void onTerminate(Drainer drainer) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> drainer.drain("SIG" + signal.getName()));
        }
    }
}
