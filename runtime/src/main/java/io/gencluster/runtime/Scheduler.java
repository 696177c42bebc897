package io.gencluster.runtime;

import java.time.Duration;
import java.time.Instant;

/**
 * The loop's one thread and its clock. Everything the {@link RefreshLoop} does to its state runs
 * through {@link #execute(Runnable)} or {@link #schedule(Runnable, Duration)}, one task at a time,
 * so the state needs no locks. Injected so that tests drive time without sleeping.
 */
public interface Scheduler {

    /** A scheduled task that may be cancelled. */
    interface Timer {
        void cancel();
    }

    /** Runs {@code task} on the loop thread as soon as possible. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop thread after {@code delay}. */
    Timer schedule(Runnable task, Duration delay);

    /** The current time. */
    Instant now();
}
