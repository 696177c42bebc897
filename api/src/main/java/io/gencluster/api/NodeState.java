package io.gencluster.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the runtime knows of one node: whether it is connected, being connected, or waiting for
 * its next attempt, whether discovery currently reports it, and the last error. Immutable.
 *
 * @param status the node's connection status
 * @param discovered whether the last refresh's discovery results include this node
 * @param failures consecutive failed attempts (or drops) since the node was last connected
 * @param nextAttempt when the next connection attempt is due, while {@link Status#BACKING_OFF}
 * @param lastError the last connect failure or down reason, if any
 */
public record NodeState(Status status, boolean discovered, int failures, Optional<Instant> nextAttempt,
        Optional<String> lastError) {

    /** Connection status of a node. */
    public enum Status {
        /** A connection is established. */
        CONNECTED,
        /** A connection attempt is in progress. */
        CONNECTING,
        /** The last attempt failed or the connection dropped; the next attempt is scheduled. */
        BACKING_OFF,
        /** Not connected and no attempt planned (no longer discovered, or reconnects are off). */
        DISCONNECTED
    }

    /**
     * @throws IllegalArgumentException if {@code failures} is negative
     */
    public NodeState {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(nextAttempt, "nextAttempt");
        Objects.requireNonNull(lastError, "lastError");
        if (failures < 0) {
            throw new IllegalArgumentException("failures must not be negative: " + failures);
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(status.name().toLowerCase(java.util.Locale.ROOT));
        b.append(discovered ? ", discovered" : ", not discovered");
        if (failures > 0) {
            b.append(", failures ").append(failures);
        }
        nextAttempt.ifPresent(t -> b.append(", next attempt ").append(t));
        lastError.ifPresent(e -> b.append(", last error: ").append(e));
        return b.toString();
    }
}
