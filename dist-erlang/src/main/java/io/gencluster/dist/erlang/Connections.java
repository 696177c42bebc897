package io.gencluster.dist.erlang;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.NodeEvents;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's connections, at most one live one per node. Hands each connection's frames to
 * {@link Inbound}; when one ends, forgets it and reports the node down. Lookups take no lock, so a
 * sender finds its connection without waiting; adding one is serialized with closing the table.
 */
final class Connections implements Connection.Events {

    private static final System.Logger LOG = System.getLogger(Connections.class.getName());

    private final Map<NodeName, Connection> byNode = new ConcurrentHashMap<>();
    private final Inbound inbound;
    private final NodeEvents events;
    private volatile boolean closing; // written under this

    Connections(Inbound inbound, NodeEvents events) {
        this.inbound = inbound;
        this.events = events;
    }

    /** The connection to {@code node}, live or just closed, or null. */
    Connection get(NodeName node) {
        return byNode.get(node);
    }

    /** The live connection to {@code node}, or null. */
    Connection live(NodeName node) {
        Connection c = byNode.get(node);
        return c != null && !c.isClosed() ? c : null;
    }

    /** The nodes with a live connection, in name order. */
    Set<NodeName> members() {
        Set<NodeName> out = new TreeSet<>();
        byNode.forEach((n, c) -> {
            if (!c.isClosed()) {
                out.add(n);
            }
        });
        return out;
    }

    /** Every connection, live or just closed (a view). */
    Collection<Connection> all() {
        return byNode.values();
    }

    /**
     * Adds {@code c} unless its node has a live connection already.
     *
     * @throws IOException when the table is closing
     */
    synchronized boolean add(Connection c) throws IOException {
        if (closing) {
            throw new IOException("the transport is closing");
        }
        Connection old = byNode.get(c.peer);
        if (old != null && !old.isClosed()) {
            return false;
        }
        byNode.put(c.peer, c);
        return true;
    }

    /**
     * Adds {@code c}, closing the live connection to its node first, if any ({@link DownReason#CONNECTION_CLOSED},
     * {@code why}): for a peer that proved the cookie and said that connection is dead.
     *
     * @throws IOException when the table is closing
     */
    synchronized boolean replace(Connection c, String why) throws IOException {
        if (closing) {
            throw new IOException("the transport is closing");
        }
        Connection old = byNode.get(c.peer);
        if (old != null) {
            old.close(DownReason.CONNECTION_CLOSED, why);
        }
        byNode.put(c.peer, c);
        return true;
    }

    /** False once {@link #stopAdmitting()} was called. */
    boolean admitting() {
        return !closing;
    }

    /** From now on no connection is added. */
    synchronized void stopAdmitting() {
        closing = true;
    }

    /** Closes every connection, each reported down with {@link DownReason#SHUTDOWN}. */
    void closeAll(String detail) {
        for (Connection c : new ArrayList<>(byNode.values())) {
            c.close(DownReason.SHUTDOWN, detail);
        }
    }

    @Override
    public void frame(Connection c, byte[] frame) throws ProtocolException {
        inbound.frame(c, frame);
    }

    @Override
    public void closed(Connection c, DownReason reason, String detail) {
        if (byNode.remove(c.peer, c)) {
            LOG.log(reason == DownReason.PROTOCOL_ERROR || reason == DownReason.HEARTBEAT_TIMEOUT ? Level.WARNING : Level.INFO,
                    "node down {0} ({1}: {2})", c.peer, reason, detail);
            events.emit(ClusterEvent.nodeDown(c.peer, reason, detail, Instant.now()));
        }
    }
}
