package io.gencluster.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A node came up (a connection to it was established) or went down. Immutable.
 */
public final class ClusterEvent {

    /** What happened. */
    public enum Type {
        NODE_UP, NODE_DOWN
    }

    private final Type type;
    private final NodeName node;
    private final DownReason reason;
    private final String detail;
    private final Instant time;

    private ClusterEvent(Type type, NodeName node, DownReason reason, String detail, Instant time) {
        this.type = type;
        this.node = Objects.requireNonNull(node, "node");
        this.reason = reason;
        this.detail = detail == null ? "" : detail;
        this.time = Objects.requireNonNull(time, "time");
    }

    /** A connection to {@code node} is established. */
    public static ClusterEvent nodeUp(NodeName node, Instant time) {
        return new ClusterEvent(Type.NODE_UP, node, null, "", time);
    }

    /** The connection to {@code node} is gone, for {@code reason}; {@code detail} says more. */
    public static ClusterEvent nodeDown(NodeName node, DownReason reason, String detail, Instant time) {
        return new ClusterEvent(Type.NODE_DOWN, node, Objects.requireNonNull(reason, "reason"), detail, time);
    }

    public Type type() {
        return type;
    }

    public NodeName node() {
        return node;
    }

    /** Why the node went down; empty for {@link Type#NODE_UP}. */
    public Optional<DownReason> reason() {
        return Optional.ofNullable(reason);
    }

    /** A human-readable detail, such as the I/O error; may be empty. */
    public String detail() {
        return detail;
    }

    /** When the transport noticed it. */
    public Instant time() {
        return time;
    }

    @Override
    public String toString() {
        return type == Type.NODE_UP
                ? "node up " + node
                : "node down " + node + " (" + reason + (detail.isEmpty() ? "" : ": " + detail) + ")";
    }
}
