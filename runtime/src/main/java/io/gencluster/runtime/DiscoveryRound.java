package io.gencluster.runtime;

import java.util.HashSet;
import java.util.Set;

/**
 * One refresh's questions to the discovery sources. It finishes exactly once — when the last
 * source has answered, failed or timed out, or when the refresh itself broke — so that exactly one
 * next refresh is scheduled per refresh: neither none (the cluster would never refresh again) nor
 * two chains of refreshes.
 */
final class DiscoveryRound {

    private final Set<String> waiting;
    private boolean finished;

    DiscoveryRound(Set<String> keys) {
        this.waiting = new HashSet<>(keys);
    }

    /** Records the answer of {@code key}; true when that was the last one awaited. */
    boolean answered(String key) {
        return waiting.remove(key) && waiting.isEmpty();
    }

    /** Marks the round finished; true only the first time. */
    boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        return true;
    }
}
