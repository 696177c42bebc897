package io.gencluster.itests.hosts;

/**
 * A scenario's own timing: a fault held for so long, records published one by one on a schedule.
 * Here a pause is what the test means, not a wait for something to happen (that is {@link Await}
 * and the nodes' own waits).
 */
final class Timeline {

    private Timeline() {
    }

    /** Returns at {@code epochMillis} (at once when that has passed). */
    static void holdUntil(long epochMillis) throws InterruptedException {
        long left = epochMillis - System.currentTimeMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
    }
}
