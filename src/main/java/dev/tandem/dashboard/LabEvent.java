package dev.tandem.dashboard;

/**
 * One line of the dashboard's timeline.
 *
 * @param at epoch milliseconds on the clock of the node that saw it
 * @param node the node the event is about
 * @param kind started, ready, not-ready, draining, stopped, joined, left (without draining) or left-drained
 * @param text what happened, in words
 * @param seenBy the node that recorded it
 */
public record LabEvent(long at, String node, String kind, String text, String seenBy) {}
