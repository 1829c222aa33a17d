package dev.tandem.events;

/** An event as a channel's view holds it, with its weight on the heap ({@link EventBudget#weightOf}). */
record HeldEvent(Event event, int weight) {}
