package dev.tandem.events;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one channel's events weigh together ({@link EventBudget#weightOf}), kept in step with the
 * node's total. Not thread-safe: its {@link ChannelLog} calls it under its own lock.
 */
final class ChannelWeights {
    private final AtomicLong node;
    private long total;
    private long lastTime;

    ChannelWeights(AtomicLong node) {
        this.node = node;
    }

    /** An event now held, published at {@code time} (epoch ms). */
    void add(int weight, long time) {
        total += weight;
        node.addAndGet(weight);
        lastTime = Math.max(lastTime, time);
    }

    /** An event no longer held. */
    void remove(int weight) {
        total -= weight;
        node.addAndGet(-weight);
    }

    long total() {
        return total;
    }

    /** The newest held event's publish time (epoch ms), or 0. */
    long lastTime() {
        return lastTime;
    }

    /**
     * How many of the oldest of {@code held} (oldest first) must go for the rest to weigh at most
     * {@code target}; never the newest, so a channel always keeps its last event.
     */
    int dropsToWeigh(long target, Collection<HeldEvent> held) {
        long left = total;
        int drops = 0;
        for (HeldEvent h : held) {
            if (left <= target || drops >= held.size() - 1) {
                break;
            }
            left -= h.weight();
            drops++;
        }
        return drops;
    }
}
