package io.gencluster.api;

/** Why a connection to a node went down. */
public enum DownReason {
    /** The peer closed the connection, or the network reset it (a crashed process, a restart). */
    CONNECTION_CLOSED,
    /** Nothing was received from the peer within the transport's liveness window. */
    HEARTBEAT_TIMEOUT,
    /** The peer sent bytes that break the protocol; the connection was closed. */
    PROTOCOL_ERROR,
    /** This node asked for the disconnect ({@link Dist#disconnect(NodeName)}). */
    DISCONNECTED,
    /** This node's transport is shutting down. */
    SHUTDOWN
}
