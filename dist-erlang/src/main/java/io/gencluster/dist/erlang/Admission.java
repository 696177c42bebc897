package io.gencluster.dist.erlang;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.NodeEvents;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which connection to a node gets in, by Erlang's rules: a node dialling this one is told
 * {@code alive} when a live connection to it exists (and may replace it, saying the old one is
 * dead); when both dialled each other, the node whose name sorts higher keeps its attempt, as
 * {@code dist_util} decides. A completed handshake becomes the node's connection unless one got in
 * first; then the node is up: logged, reported to listeners, its connect callers answered.
 */
final class Admission implements Handshake.Arbiter {

    private static final System.Logger LOG = System.getLogger(Admission.class.getName());

    private final Connections connections;
    private final DialAttempts dials;
    private final ConnectResults results;
    private final NodeEvents events;
    private final NodeName self;
    private final int maxFrameBytes;
    private final long sendQueueBytes;
    private final AtomicInteger admitted = new AtomicInteger();

    Admission(ErlangDistSettings settings, Connections connections, DialAttempts dials, ConnectResults results, NodeEvents events) {
        this.connections = connections;
        this.dials = dials;
        this.results = results;
        this.events = events;
        this.self = settings.self;
        this.maxFrameBytes = settings.maxFrameBytes;
        this.sendQueueBytes = settings.sendQueueBytes;
    }

    @Override
    public String status(NodeName initiator) {
        if (connections.live(initiator) != null) {
            return "alive";
        }
        DialAttempts.Attempt mine = dials.of(initiator);
        if (mine == null) {
            return "ok";
        }
        if (initiator.toString().compareTo(self.toString()) > 0) {
            mine.cancel();
            return "ok_simultaneous";
        }
        return "nok";
    }

    @Override
    public void replaceOld(NodeName initiator) {
        Connection old = connections.get(initiator);
        if (old != null) {
            old.close(DownReason.CONNECTION_CLOSED, initiator + " connected again: its old connection is dead");
        }
    }

    /**
     * Makes a completed handshake the node's connection and starts it.
     *
     * @throws SimultaneousConnectException when the node got connected meanwhile
     * @throws IOException when the transport is closing, or the connection cannot start
     */
    void admit(Handshakes.Completed h) throws IOException {
        Handshake.Result r = h.result();
        NodeName peer = r.peer();
        Connection c = new Connection(peer, h.socket(), h.in(), maxFrameBytes, sendQueueBytes, connections);
        if (!connections.add(c)) {
            throw new SimultaneousConnectException(peer + " is connected already");
        }
        boolean visible = (r.flags() & DistFlags.PUBLISHED) != 0;
        LOG.log(Level.INFO, "node up {0} ({1} node, creation {2})", peer, visible ? "visible" : "hidden", String.valueOf(r.creation()));
        events.emit(ClusterEvent.nodeUp(peer, Instant.now()));
        results.connected(peer);
        c.start(peer + "-" + admitted.incrementAndGet());
    }
}
