package io.gencluster.itests.hosts;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling a condition until a deadline: the one way these tests wait for something to happen. */
final class Await {

    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /** Returns once the condition holds; fails naming what was awaited when the bound has passed. */
    static void until(String what, Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("waited " + bound + " for " + what);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS); // the poll interval, not a synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
