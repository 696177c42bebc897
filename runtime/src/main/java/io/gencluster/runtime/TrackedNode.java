package io.gencluster.runtime;

import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.NodeState.Status;
import io.gencluster.api.Peer;
import java.time.Instant;
import java.util.Optional;

/** What the loop knows of one node; touched only on the loop thread, published as {@link NodeState}. */
final class TrackedNode {

    final NodeName node;
    Peer peer;
    boolean discovered;
    Status status = Status.DISCONNECTED;
    int failures;
    Instant nextAttempt;
    String lastError;
    Scheduler.Timer retry;
    /** Since when discovery no longer reports it (null while it does): removed.grace.ms counts from here. */
    Instant undiscoveredSince;
    /** It speaks another transport than this node's: not dialled, and said so once. */
    boolean notDialled;
    /** Numbers the attempts, so that the answer of a superseded attempt is ignored. */
    long attempt;
    private NodeState published; // what state() returned last
    /** When it last became connected: how long its connection had lived, when it drops. */
    Instant connectedSince;

    TrackedNode(NodeName node) {
        this.node = node;
        this.peer = Peer.of(node);
    }

    /** Marks it connected; {@code loop}'s clock is read only when it was not connected before. */
    void connected(Scheduler loop) {
        if (status != Status.CONNECTED) {
            connectedSince = loop.now(); // on the change only: a refresh marks every member connected
        }
        cancelRetry();
        notDialled = false;
        status = Status.CONNECTED;
        failures = 0;
        nextAttempt = null;
    }

    void cancelRetry() {
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
    }

    /** Its state now: the one returned last time while nothing in it changed (a refresh changes few nodes). */
    NodeState state() {
        NodeState s = published;
        if (s == null || s.status() != status || s.discovered() != discovered || s.failures() != failures
                || s.nextAttempt().orElse(null) != nextAttempt || s.lastError().orElse(null) != lastError) {
            s = new NodeState(status, discovered, failures, Optional.ofNullable(nextAttempt), Optional.ofNullable(lastError));
            published = s;
        }
        return s;
    }
}
