package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.ProtocolException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The transitive mesh ({@code transitive}): a newly connected peer is told this node's other
 * members in one MEMBERS frame, and the members a peer tells are dialled where this node lacks
 * them, so that every node connects to every other.
 */
final class MemberExchange {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());

    private final TcpDistSettings settings;
    private final ConnectionTable table;
    private final OutboundFrames outbound;
    private final ConnectionFailures failures;
    private Dialer dialer; // set once, before start: a member told dials through it, and its connection tells members

    MemberExchange(TcpDistSettings settings, ConnectionTable table, OutboundFrames outbound, ConnectionFailures failures) {
        this.settings = settings;
        this.table = table;
        this.outbound = outbound;
        this.failures = failures;
    }

    void dialVia(Dialer dialer) {
        this.dialer = dialer;
    }

    /** Tells a newly connected peer our other members, so it connects to those it lacks. */
    void sendMembers(Connection c) {
        List<Peer> others = new ArrayList<>();
        synchronized (table) {
            for (Connection o : table.connections.values()) {
                if (o != c) {
                    others.add(o.peerListenPort == 0 ? Peer.of(o.peer) : Peer.of(o.peer, o.peerListenPort));
                }
            }
        }
        if (others.isEmpty()) {
            return;
        }
        try {
            outbound.send(c, FrameCodec.members(others));
        } catch (IOException e) {
            failures.failed(c, e);
        }
    }

    /** A MEMBERS frame from {@code from}: dials each member this node neither has nor dials. */
    void membersOf(Connection from, FrameCodec.Frame f) throws ProtocolException {
        for (Peer member : FrameCodec.members(f)) {
            NodeName node = member.node();
            if (!settings.transitive || node.equals(settings.self) || member.port().isEmpty()) {
                continue;
            }
            synchronized (table) {
                if (table.connections.containsKey(node) || table.dialling.containsKey(node)) {
                    continue;
                }
            }
            dialer.connect(member, settings.handshakeTimeout.multipliedBy(2)).whenComplete((ok, err) -> {
                if (err != null) {
                    LOG.log(Level.DEBUG, "{0}, a member of {1}, could not be connected: {2}", node, from.peer, err.getMessage());
                }
            });
        }
    }
}
