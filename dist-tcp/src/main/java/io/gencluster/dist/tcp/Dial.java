package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A connect to one node in progress, and everyone waiting for it: each {@code connect} call is a
 * {@link Waiter} with its own deadline, so a second call with a shorter timeout still fails in
 * time. Guarded by the {@link ConnectionTable}'s lock, except {@link #attempt} (selector thread).
 */
final class Dial {

    static final class Waiter {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        final long deadline;
        final long timeoutMillis;

        Waiter(long deadline, long timeoutMillis) {
            this.deadline = deadline;
            this.timeoutMillis = timeoutMillis;
        }
    }

    final NodeName node;
    final int knownPort;
    final List<Waiter> waiters = new ArrayList<>();
    /** The socket being connected or handshaken; null while resolving or waiting for the other side's connection. */
    Connection attempt;
    /** Why this dial now waits for a connection opened by the other side, if it does. */
    String waitingFor;
    boolean finished;

    Dial(NodeName node, int knownPort) {
        this.node = node;
        this.knownPort = knownPort;
    }
}
