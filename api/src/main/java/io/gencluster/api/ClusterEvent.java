package io.gencluster.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A node came up (a connection to it was established) or went down, or discovery started or
 * stopped reporting it. Immutable.
 *
 * <p>Whiteboard {@link ClusterListener} services receive {@link Type#NODE_UP} and
 * {@link Type#NODE_DOWN} only, unless their service property {@value #TYPES_PROPERTY} names the
 * types they want: listeners written before discovery events existed, which take every event that
 * is not an up for a down, keep working.
 *
 * @param type what happened
 * @param node the node it happened to
 * @param reason why the node went down; present for {@link Type#NODE_DOWN} and only for it
 * @param detail a human-readable detail, such as the I/O error; may be empty, never null
 * @param time when the transport (up, down) or the runtime (discovered, lost) noticed it
 */
public record ClusterEvent(Type type, NodeName node, Optional<DownReason> reason, String detail, Instant time) {

    /**
     * Service property of a whiteboard {@link ClusterListener}: the names of the {@link Type}s it
     * receives ({@code String} or {@code String[]}; {@code *} = all). Absent: NODE_UP and NODE_DOWN.
     */
    public static final String TYPES_PROPERTY = "gencluster.event.types";

    /** What happened. Later versions may add types: ignore those you do not know. */
    public enum Type {
        /** A connection to the node is established. */
        NODE_UP,
        /** The connection to the node is gone; {@link ClusterEvent#reason()} says why. */
        NODE_DOWN,
        /** Discovery reports the node, which it did not before; {@link ClusterEvent#detail()} is the peer found. */
        NODE_DISCOVERED,
        /** Discovery no longer reports the node (a failing strategy is not that: its last peers are kept). */
        NODE_LOST
    }

    /**
     * @throws IllegalArgumentException if a reason is given for anything but a node down, or none for one
     */
    public ClusterEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(time, "time");
        if (reason.isPresent() != (type == Type.NODE_DOWN)) {
            throw new IllegalArgumentException("a " + type + " event " + (reason.isPresent() ? "takes no reason" : "needs a reason"));
        }
        detail = detail == null ? "" : detail;
    }

    /** A connection to {@code node} is established. */
    public static ClusterEvent nodeUp(NodeName node, Instant time) {
        return new ClusterEvent(Type.NODE_UP, node, Optional.empty(), "", time);
    }

    /** The connection to {@code node} is gone, for {@code reason}; {@code detail} says more. */
    public static ClusterEvent nodeDown(NodeName node, DownReason reason, String detail, Instant time) {
        return new ClusterEvent(Type.NODE_DOWN, node, Optional.of(Objects.requireNonNull(reason, "reason")), detail, time);
    }

    /** Discovery reports {@code peer}, which it did not before; the detail is the peer's text form. */
    public static ClusterEvent nodeDiscovered(Peer peer, Instant time) {
        return new ClusterEvent(Type.NODE_DISCOVERED, peer.node(), Optional.empty(), peer.toString(), time);
    }

    /** Discovery no longer reports {@code node}. */
    public static ClusterEvent nodeLost(NodeName node, Instant time) {
        return new ClusterEvent(Type.NODE_LOST, node, Optional.empty(), "", time);
    }

    @Override
    public String toString() {
        switch (type) {
            case NODE_UP:
                return "node up " + node;
            case NODE_DOWN:
                return "node down " + node + " (" + reason.get() + (detail.isEmpty() ? "" : ": " + detail) + ")";
            case NODE_DISCOVERED:
                return "node discovered " + detail;
            default:
                return "node lost " + node + " (no longer discovered)";
        }
    }
}
