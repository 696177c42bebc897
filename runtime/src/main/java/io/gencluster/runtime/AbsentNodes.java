package io.gencluster.runtime;

import io.gencluster.api.NodeName;
import io.gencluster.spi.Dist;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code removed.nodes = disconnect}: a connected node that has stayed undiscovered for
 * {@code removed.grace.ms} is disconnected, and while it stays undiscovered, a connection it opens
 * to this node is closed too, else it would walk back in. Never on one answer: a port mapper
 * restarting or a DNS record set caught mid-update leaves a node out of one answer, and that is not
 * a departure. Lives on the loop thread; every method is called there.
 */
final class AbsentNodes {

    private static final System.Logger LOG = System.getLogger(RefreshLoop.class.getName());
    /** Bound on the nodes remembered as removed: the oldest is forgotten first. */
    static final int MAX_REMEMBERED = 1024;

    private final Dist dist;
    private final RuntimeSettings settings;
    private final Scheduler loop;
    /** Nodes disconnected for their absence, oldest first, with how often they dialled back since. */
    private final Map<NodeName, Integer> removed = new LinkedHashMap<>();

    AbsentNodes(Dist dist, RuntimeSettings settings, Scheduler loop) {
        this.dist = dist;
        this.settings = settings;
        this.loop = loop;
    }

    /** {@code t} is not discovered this round: disconnected once it has been absent long enough. */
    void notDiscovered(TrackedNode t, boolean connected) {
        if (!connected || t.undiscoveredSince == null || settings.removedNodes() != RemovedNodes.DISCONNECT
                || loop.now().isBefore(t.undiscoveredSince.plus(settings.removedGrace()))) {
            return;
        }
        long absentMs = Duration.between(t.undiscoveredSince, loop.now()).toMillis();
        t.undiscoveredSince = null; // once
        LOG.log(Level.INFO, "disconnecting {0}: not discovered for {1,number,#} ms (removed.nodes=disconnect, removed.grace.ms={2,number,#})",
                t.node, absentMs, settings.removedGrace().toMillis());
        removed.put(t.node, 0);
        if (removed.size() > MAX_REMEMBERED) {
            removed.remove(removed.keySet().iterator().next());
        }
        dist.disconnect(t.node);
    }

    /** {@code node} is discovered again: a connection it opens is welcome. */
    void discovered(NodeName node) {
        removed.remove(node);
    }

    /** {@code node}, not discovered, connected to this node: closed if it was removed for its absence. */
    void connectedUndiscovered(NodeName node) {
        Integer refusals = removed.get(node);
        if (refusals == null) {
            return;
        }
        // it still discovers this node and dials in: a removed node stays out until discovered again
        removed.put(node, refusals + 1);
        LOG.log(refusals == 0 ? Level.INFO : Level.DEBUG,
                "disconnecting {0}: it connected but was removed for not being discovered (removed.nodes=disconnect);"
                        + " every further attempt is closed the same way until discovery reports it again", node);
        dist.disconnect(node);
    }
}
