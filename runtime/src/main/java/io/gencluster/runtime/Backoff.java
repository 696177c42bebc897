package io.gencluster.runtime;

import java.time.Duration;
import java.util.Random;

/**
 * Per-node reconnect delay: {@code initial × 2^(failures−1)}, capped at {@code max}, spread by
 * ±20 % jitter so that nodes which lost the same peer at the same moment do not all retry it in
 * the same millisecond.
 */
final class Backoff {

    static final double JITTER = 0.2;

    private final long initialMs;
    private final long maxMs;
    private final Random random;

    Backoff(Duration initial, Duration max, Random random) {
        this.initialMs = initial.toMillis();
        this.maxMs = max.toMillis();
        this.random = random;
    }

    /** The delay before the next attempt after {@code failures} consecutive failures (≥ 1). */
    Duration delay(int failures) {
        int doublings = Math.min(Math.max(failures, 1) - 1, 40);
        double base = Math.min((double) maxMs, initialMs * Math.pow(2, doublings));
        double jittered = base * (1 - JITTER + 2 * JITTER * random.nextDouble());
        return Duration.ofMillis(Math.max(1, Math.min(maxMs, Math.round(jittered))));
    }

    /**
     * The delay before redialling a node whose connection dropped after a long life: at random up
     * to {@code initial × JITTER}, so that the nodes which lost the same peer at once do not all
     * dial it in the same millisecond.
     */
    Duration prompt() {
        return Duration.ofMillis(Math.max(1, Math.round(initialMs * JITTER * random.nextDouble())));
    }

    /** How long a connection must have lived for its drop to be redialled {@link #prompt() promptly}. */
    Duration longLived() {
        return Duration.ofMillis(initialMs);
    }
}
