package io.gencluster.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.PriorityQueue;

/** A {@link Scheduler} on virtual time: tests move the clock and every task due runs, in order, on the test's thread. */
final class VirtualTimeScheduler implements Scheduler {

    private static final int MAX_TASKS_PER_STEP = 100_000;

    private final Deque<Runnable> now = new ArrayDeque<>();
    private final PriorityQueue<Entry> later = new PriorityQueue<>(Comparator.comparing((Entry e) -> e.at).thenComparingLong(e -> e.seq));
    private Instant clock = Instant.parse("2026-01-01T00:00:00Z");
    private long seq;

    private static final class Entry {
        final Instant at;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Entry(Instant at, long seq, Runnable task) {
            this.at = at;
            this.seq = seq;
            this.task = task;
        }
    }

    @Override
    public synchronized void execute(Runnable task) {
        now.add(task);
    }

    @Override
    public synchronized Timer schedule(Runnable task, Duration delay) {
        Entry e = new Entry(clock.plus(delay), seq++, task);
        later.add(e);
        return () -> e.cancelled = true;
    }

    @Override
    public synchronized Instant now() {
        return clock;
    }

    /** Runs everything queued now, and whatever that queues, without moving the clock. */
    void runDue() {
        for (int i = 0; i < MAX_TASKS_PER_STEP; i++) {
            Runnable next;
            synchronized (this) {
                next = now.poll();
                if (next == null) {
                    Entry e = later.peek();
                    if (e == null || e.at.isAfter(clock)) {
                        return;
                    }
                    later.poll();
                    if (e.cancelled) {
                        continue;
                    }
                    next = e.task;
                }
            }
            next.run();
        }
        throw new AssertionError("more than " + MAX_TASKS_PER_STEP + " tasks in one step: a task reschedules itself without delay");
    }

    /** Moves the clock forward by {@code d}, running every task that falls due, in time order. */
    void advance(Duration d) {
        Instant end = clock.plus(d);
        runDue();
        while (true) {
            Entry e;
            synchronized (this) {
                e = later.peek();
                while (e != null && e.cancelled) {
                    later.poll();
                    e = later.peek();
                }
                if (e == null || e.at.isAfter(end)) {
                    clock = end;
                    break;
                }
                clock = e.at;
            }
            runDue();
        }
        runDue();
    }
}
