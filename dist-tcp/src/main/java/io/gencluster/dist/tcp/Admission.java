package io.gencluster.dist.tcp;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.NodeEvents;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.RefusedException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;

/**
 * One connection per node pair, decided only for peers that proved themselves ({@link
 * Authenticator.Peer}): an initiator is admitted unless its node is already connected, or this
 * node's own dial to it is on its way and this node orders first ({@link NodeName#compareTo}): of
 * two simultaneous connects, both sides keep the one opened by the node that orders first and
 * refuse the other, with a refusal the initiator can check. A connection that proved nothing never
 * reaches this class, so it can neither evict a live connection nor cancel a dial. Once its
 * handshake is done, a connection becomes its pair's one connection, or goes if the other side's
 * came up first.
 */
final class Admission {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());

    private final TcpDistSettings settings;
    private final Clock clock;
    private final ConnectionTable table;
    private final NodeEvents events;
    private final DialOutcomes dials;
    private final OpenConnections open;
    private final OutboundFrames outbound;
    private final MemberExchange members;

    Admission(TcpDistSettings settings, ConnectionTable table, NodeEvents events, DialOutcomes dials, OpenConnections open,
            OutboundFrames outbound, MemberExchange members) {
        this.settings = settings;
        this.clock = settings.clock;
        this.table = table;
        this.events = events;
        this.dials = dials;
        this.open = open;
        this.outbound = outbound;
        this.members = members;
    }

    /**
     * An initiator that proved itself, before ACCEPT: one connection per pair, and the
     * simultaneous-connect rule.
     *
     * @throws RefusedException with the REFUSE (proved by this side) to send
     */
    void admit(Authenticator.Peer initiator) throws RefusedException {
        NodeName node = initiator.node;
        synchronized (table) {
            if (table.connections.containsKey(node)) {
                throw initiator.connection.acceptor.provenRefusal(FrameCodec.REFUSED_ALREADY_CONNECTED, "already connected to " + node);
            }
            // only a connection of our own on its way competes: a dial that was refused and now waits for
            // the initiator's connection (or has not opened yet) takes this one
            Dial ours = table.dialling.get(node);
            if (ours != null && ours.attempt != null && !ours.attempt.isClosed() && settings.self.compareTo(node) < 0) {
                throw initiator.connection.acceptor.provenRefusal(FrameCodec.REFUSED_SIMULTANEOUS,
                        "simultaneous connect: keeping the connection opened by " + settings.self);
            }
        }
    }

    /**
     * Handshake done: the connection becomes the pair's one connection, or goes if there already
     * is one. {@code last}: the acceptor's ACCEPT, sent once the connection is registered.
     */
    void up(Authenticator.Peer peer, byte[] last) throws IOException {
        Connection c = peer.connection;
        c.peer = peer.node;
        c.peerListenPort = peer.listenPort;
        Dial dial;
        synchronized (table) {
            if (table.closed || table.connections.containsKey(c.peer)) {
                dial = null;
            } else {
                table.connections.put(c.peer, c);
                c.state = Connection.State.UP;
                events.emit(ClusterEvent.nodeUp(c.peer, clock.instant()));
                dial = table.dialling.get(c.peer);
                if (dial != null) {
                    dials.succeed(dial);
                }
            }
        }
        if (c.state != Connection.State.UP) {
            Dial d = c.dial;
            open.discard(c, "connected meanwhile by the other side");
            if (d != null) {
                synchronized (table) {
                    if (table.connections.containsKey(d.node)) {
                        dials.succeed(d);
                    }
                }
            }
            return;
        }
        open.handshakeOver(c);
        c.dial = null;
        c.deadline = Long.MAX_VALUE;
        c.lastRead = clock.millis();
        if (dial != null && dial.attempt != null && dial.attempt != c && !dial.attempt.isClosed()) {
            // the connection from the node that orders first won; our own attempt is moot
            open.discard(dial.attempt, "simultaneous connect: the connection from " + c.peer + " is kept");
        }
        LOG.log(Level.DEBUG, "{0} connected to {1} ({2}, {3})", settings.self, c.peer, c.remote, c.initiated ? "outgoing" : "incoming");
        if (last != null) {
            outbound.send(c, last);
        }
        if (settings.transitive) {
            members.sendMembers(c);
        }
    }
}
