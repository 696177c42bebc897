package io.gencluster.dist.tcp;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.dist.kit.NodeEvents;
import java.net.InetAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every connection this node has open, in whatever state, and the handshakes in progress counted
 * against their caps: incoming ones ({@code max.handshakes}) and per remote address ({@code
 * max.handshakes.per.address}), outgoing ones ({@code max.handshakes.outgoing}) apart, so that a
 * flood of incoming connections takes neither another address's slots nor this node's dials. And
 * the two ways a connection leaves: {@link #discard} (it never came up, or lost a race: no event)
 * and {@link #lost} (it was up: the node goes down).
 */
final class OpenConnections {

    private final ConnectionTable table;
    private final NodeEvents events;
    private final Clock clock;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    // handshakes in progress; guarded by this (a handshake may end on any thread)
    private final Map<Connection, InetAddress> incoming = new HashMap<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final Set<Connection> outgoing = new HashSet<>();
    private volatile boolean added; // a connection was added since the last sweep

    OpenConnections(ConnectionTable table, NodeEvents events, Clock clock) {
        this.table = table;
        this.events = events;
        this.clock = clock;
    }

    void add(Connection c) {
        open.add(c);
        added = true;
    }

    /** A sweep begins: connections added from now on are news to the next. */
    void sweeping() {
        added = false;
    }

    /** Whether a connection was added since the last sweep began. */
    boolean addedSinceSweep() {
        return added;
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

    /** An incoming connection from {@code from} begins its handshake. */
    synchronized void countIncoming(Connection c, InetAddress from) {
        incoming.put(c, from);
        perAddress.merge(from, 1, Integer::sum);
    }

    /** A dial's connection begins its handshake. */
    synchronized void countOutgoing(Connection c) {
        outgoing.add(c);
    }

    synchronized int incomingHandshakes() {
        return incoming.size();
    }

    synchronized int incomingHandshakesFrom(InetAddress from) {
        return perAddress.getOrDefault(from, 0);
    }

    synchronized int outgoingHandshakes() {
        return outgoing.size();
    }

    /** A handshake is over, either way: it no longer counts against its caps. Any thread; once per connection. */
    synchronized void handshakeOver(Connection c) {
        outgoing.remove(c);
        InetAddress from = incoming.remove(c);
        if (from != null) {
            perAddress.computeIfPresent(from, (a, n) -> n == 1 ? null : n - 1);
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
