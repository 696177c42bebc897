package io.gencluster.api;

import java.util.Map;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The read-only view of the cluster, published by the runtime while it is configured. Every
 * method returns a consistent snapshot and never blocks.
 */
@ProviderType
public interface Cluster {

    /** This node. */
    NodeName self();

    /** The nodes connected now. */
    Set<NodeName> members();

    /** The peers found by the last refresh, over all discovery strategies (without self). */
    Set<Peer> discovered();

    /** Every node the runtime knows of (discovered or connected), with its state. */
    Map<NodeName, NodeState> nodes();
}
