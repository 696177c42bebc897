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
 */
public final class ClusterEvent {

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

    /** Discovery reports {@code peer}, which it did not before; the detail is the peer's text form. */
    public static ClusterEvent nodeDiscovered(Peer peer, Instant time) {
        return new ClusterEvent(Type.NODE_DISCOVERED, peer.node(), null, peer.toString(), time);
    }

    /** Discovery no longer reports {@code node}. */
    public static ClusterEvent nodeLost(NodeName node, Instant time) {
        return new ClusterEvent(Type.NODE_LOST, node, null, "", time);
    }

    public Type type() {
        return type;
    }

    public NodeName node() {
        return node;
    }

    /** Why the node went down; empty for every type but {@link Type#NODE_DOWN}. */
    public Optional<DownReason> reason() {
        return Optional.ofNullable(reason);
    }

    /** A human-readable detail, such as the I/O error; may be empty. */
    public String detail() {
        return detail;
    }

    /** When the transport (up, down) or the runtime (discovered, lost) noticed it. */
    public Instant time() {
        return time;
    }

    @Override
    public String toString() {
        switch (type) {
            case NODE_UP:
                return "node up " + node;
            case NODE_DOWN:
                return "node down " + node + " (" + reason + (detail.isEmpty() ? "" : ": " + detail) + ")";
            case NODE_DISCOVERED:
                return "node discovered " + detail;
            default:
                return "node lost " + node + " (no longer discovered)";
        }
    }
}
