package io.gencluster.runtime;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;

/**
 * Wraps every task so that an exception is logged, with its stack, and the loop goes on: a
 * scheduled executor would keep it in a future nobody reads, and a broken strategy or transport
 * would fail unseen. No task can take the loop thread's future work down with it.
 */
final class GuardedScheduler implements Scheduler {

    private static final System.Logger LOG = System.getLogger(RefreshLoop.class.getName());

    private final Scheduler scheduler;

    GuardedScheduler(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // LinkageError: a strategy or transport whose bundle went away under us
                LOG.log(Level.ERROR, "cluster loop task failed; the loop goes on", e);
            }
        };
    }

    @Override
    public void execute(Runnable task) {
        scheduler.execute(guarded(task));
    }

    @Override
    public Timer schedule(Runnable task, Duration delay) {
        return scheduler.schedule(guarded(task), delay);
    }

    @Override
    public Instant now() {
        return scheduler.now();
    }
}
