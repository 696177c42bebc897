package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which connection serves each connected node, and which dials are under way. Both change only
 * under this object's lock, together, so that admission, a dial's outcome and shutdown each see
 * one state; a node's events are emitted under it too, so that they queue in the order they
 * happened. A sender looks its connection up without the lock.
 */
final class ConnectionTable {

    /** One per node pair; concurrent so that a sender's lookup needs no lock. */
    final Map<NodeName, Connection> connections = new ConcurrentHashMap<>();
    /** Guarded by this. */
    final Map<NodeName, Dial> dialling = new HashMap<>();
    /** Guarded by this: once set, no connection comes up and no dial begins. */
    boolean closed;

    synchronized Set<NodeName> members() {
        // keys are distinct: Set.of takes them as they are, where Set.copyOf would first copy them into a HashSet
        return Set.of(connections.keySet().toArray(new NodeName[0]));
    }

    synchronized Connection connectionTo(NodeName node) {
        return connections.get(node);
    }

    /** True for the first call only. */
    synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }
}
