package dev.tandem.testing.history;

import java.util.ArrayList;
import java.util.List;

/** Every operation of a run, in completion order; safe to append from many client threads. */
public final class History {
    private final List<Op> ops = new ArrayList<>();

    public synchronized void add(Op op) {
        ops.add(op);
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    public synchronized long count(Op.Kind kind, Op.Outcome outcome) {
        return ops.stream().filter(o -> o.kind() == kind && o.outcome() == outcome).count();
    }
}
