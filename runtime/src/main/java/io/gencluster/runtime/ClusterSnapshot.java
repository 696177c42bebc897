package io.gencluster.runtime;

import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import java.util.Map;
import java.util.Set;

/**
 * An immutable picture of what the loop knows, published after every change.
 *
 * @param discovered the peers the last refresh found, this node left out
 * @param nodes what the loop knows of each node it tracks
 */
public record ClusterSnapshot(Set<Peer> discovered, Map<NodeName, NodeState> nodes) {

    public ClusterSnapshot {
        discovered = Set.copyOf(discovered);
        nodes = Map.copyOf(nodes);
    }
}
