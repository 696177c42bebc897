package io.gencluster.dist.tcp;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.dist.kit.NodeEvents;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every connection this node has open, in whatever state, and how many of them are incoming
 * handshakes counted against {@code max.handshakes}; and the two ways a connection leaves:
 * {@link #discard} (it never came up, or lost a race: no event) and {@link #lost} (it was up: the
 * node goes down).
 */
final class OpenConnections {

    private final IoThread io;
    private final ConnectionTable table;
    private final NodeEvents events;
    private final Clock clock;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private int handshakesInProgress; // selector thread only

    OpenConnections(IoThread io, ConnectionTable table, NodeEvents events, Clock clock) {
        this.io = io;
        this.table = table;
        this.events = events;
        this.clock = clock;
    }

    void add(Connection c) {
        open.add(c);
    }

    /** A closed connection the sweep came across. */
    void forget(Connection c) {
        open.remove(c);
    }

    /** The open connections as they are now; those added meanwhile may be seen or not. */
    Iterable<Connection> all() {
        return open;
    }

    List<Connection> snapshot() {
        return List.copyOf(open);
    }

    /** Selector thread: an incoming connection begins its handshake. */
    void countHandshake(Connection c) {
        handshakesInProgress++;
        c.countedHandshake = true;
    }

    /** Selector thread. */
    int handshakesInProgress() {
        return handshakesInProgress;
    }

    /** An incoming handshake is over, either way: it no longer counts against max.handshakes. */
    void handshakeOver(Connection c) {
        if (c.countedHandshake && io.isCurrent()) {
            c.countedHandshake = false;
            handshakesInProgress--;
        }
    }

    /** Closes a connection that never came up (or lost a race); no event, since no node was up. */
    void discard(Connection c, String why) {
        if (c.close(why)) {
            open.remove(c);
            handshakeOver(c);
        }
    }

    /** Closes {@code c} and reports it down, once, with the first reason given. Any thread. */
    void lost(Connection c, DownReason reason, String detail) {
        if (!c.close(reason + ": " + detail)) {
            return;
        }
        open.remove(c);
        synchronized (table) {
            table.connections.remove(c.peer, c);
            events.emit(ClusterEvent.nodeDown(c.peer, reason, detail, clock.instant()));
        }
    }
}
