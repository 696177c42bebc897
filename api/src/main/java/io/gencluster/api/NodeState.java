package io.gencluster.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the runtime knows of one node: whether it is connected, being connected, or waiting for
 * its next attempt, whether discovery currently reports it, and the last error. Immutable.
 */
public final class NodeState {

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

    private final Status status;
    private final boolean discovered;
    private final int failures;
    private final Instant nextAttempt;
    private final String lastError;

    public NodeState(Status status, boolean discovered, int failures, Instant nextAttempt, String lastError) {
        this.status = Objects.requireNonNull(status, "status");
        this.discovered = discovered;
        this.failures = failures;
        this.nextAttempt = nextAttempt;
        this.lastError = lastError;
    }

    public Status status() {
        return status;
    }

    /** Whether the last refresh's discovery results include this node. */
    public boolean discovered() {
        return discovered;
    }

    /** Consecutive failed attempts (or drops) since the node was last connected. */
    public int failures() {
        return failures;
    }

    /** When the next connection attempt is due, while {@link Status#BACKING_OFF}. */
    public Optional<Instant> nextAttempt() {
        return Optional.ofNullable(nextAttempt);
    }

    /** The last connect failure or down reason, if any. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NodeState)) {
            return false;
        }
        NodeState s = (NodeState) o;
        return s.status == status && s.discovered == discovered && s.failures == failures
                && Objects.equals(s.nextAttempt, nextAttempt) && Objects.equals(s.lastError, lastError);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, discovered, failures, nextAttempt, lastError);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(status.name().toLowerCase(java.util.Locale.ROOT));
        b.append(discovered ? ", discovered" : ", not discovered");
        if (failures > 0) {
            b.append(", failures ").append(failures);
        }
        if (nextAttempt != null) {
            b.append(", next attempt ").append(nextAttempt);
        }
        if (lastError != null) {
            b.append(", last error: ").append(lastError);
        }
        return b.toString();
    }
}
