package dev.tandem.events;

import java.util.ArrayList;
import java.util.List;

/**
 * Which of one channel's events are beyond what it keeps: the newest {@code capacity}, and of
 * those no more than {@code maxWeight} ({@link EventBudget#weightOf}). Hands the rest out for
 * removal from the cache in batches, once each, not one replicated remove per publish. Not
 * thread-safe: its {@link ChannelLog} calls it under its own lock, with the events it holds.
 */
final class ChannelTrim {
    private final int capacity;
    private final long maxWeight;
    private final ChannelWeights weights;
    /** The newest id handed out for removal ({@link #toTrim}). */
    private long trimmedThrough = Long.MIN_VALUE;

    ChannelTrim(int capacity, long maxWeight, ChannelWeights weights) {
        this.capacity = capacity;
        this.maxWeight = maxWeight;
        this.weights = weights;
    }

    /**
     * The ids beyond capacity not handed out for removal yet, oldest first, once there are at
     * least {@code batch} of them (else none); or, when the channel weighs more than its
     * {@code maxWeight}, the oldest down to seven eighths of it (batched the same way by weight).
     */
    List<Long> toTrim(HeldEvents events, int batch) {
        int byCount = events.size() - capacity;
        int byWeight = dropsOverWeight(events, maxWeight - maxWeight / 8);
        int excess = Math.max(byCount, byWeight);
        if (excess <= 0 || (byWeight == 0 && excess < batch)) {
            return List.of();
        }
        List<Long> out = new ArrayList<>(excess);
        for (int i = 0; i < events.size() && i < excess; i++) {
            long id = events.idAt(i);
            if (id > trimmedThrough) {
                out.add(id);
            }
        }
        if (out.isEmpty() || (byWeight == 0 && out.size() < batch)) {
            return List.of();
        }
        trimmedThrough = out.get(out.size() - 1);
        return out;
    }

    /** A removal handed out by {@link #toTrim} failed: its ids may be handed out again. */
    void failed() {
        trimmedThrough = Long.MIN_VALUE;
    }

    /** The oldest of {@code events} (not empty) still kept; the older ones wait for their removal. */
    long oldestKept(HeldEvents events) {
        int excess = Math.max(events.size() - capacity, dropsOverWeight(events, maxWeight));
        return events.idAt(Math.max(0, excess));
    }

    /** Over {@code maxWeight}: how many of the oldest must go for the rest to weigh at most {@code target}; else 0. */
    private int dropsOverWeight(HeldEvents events, long target) {
        return weights.total() > maxWeight ? weights.dropsToWeigh(target, events.events()) : 0;
    }
}
