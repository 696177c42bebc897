package io.gencluster.runtime;

import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import java.util.Map;
import java.util.Set;

/** An immutable picture of what the loop knows, published after every change. */
public final class ClusterSnapshot {

    private final NodeName self;
    private final Set<Peer> discovered;
    private final Map<NodeName, NodeState> nodes;

    ClusterSnapshot(NodeName self, Set<Peer> discovered, Map<NodeName, NodeState> nodes) {
        this.self = self;
        this.discovered = Set.copyOf(discovered);
        this.nodes = Map.copyOf(nodes);
    }

    public NodeName self() {
        return self;
    }

    public Set<Peer> discovered() {
        return discovered;
    }

    public Map<NodeName, NodeState> nodes() {
        return nodes;
    }
}
