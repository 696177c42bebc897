package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's dials in progress, at most one per node however many callers wait for it. Admission
 * cancels one when the node dialled this node too and, having proved the cookie, got in.
 */
final class DialAttempts {

    /** One attempt of ours to dial a node. */
    static final class Attempt {
        private volatile Socket socket;
        private volatile boolean cancelled;

        /** The socket this attempt dials on: cancelling closes it. */
        void dialsOn(Socket socket) {
            this.socket = socket;
        }

        boolean cancelled() {
            return cancelled;
        }

        /** Gives the attempt up: its socket is closed, whatever it was waiting for fails. */
        void cancel() {
            cancelled = true;
            Authenticator.closeQuietly(socket);
        }
    }

    private final Map<NodeName, Attempt> attempts = new ConcurrentHashMap<>();

    /** A new attempt to dial {@code node}, or null when one is in progress already. */
    Attempt begin(NodeName node) {
        Attempt attempt = new Attempt();
        return attempts.putIfAbsent(node, attempt) == null ? attempt : null;
    }

    void end(NodeName node, Attempt attempt) {
        attempts.remove(node, attempt);
    }

    /** The attempt in progress to dial {@code node}, or null. */
    Attempt of(NodeName node) {
        return attempts.get(node);
    }

    void cancelAll() {
        attempts.values().forEach(Attempt::cancel);
    }
}
