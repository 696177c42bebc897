package io.gencluster.dist.tcp;

import io.gencluster.api.DownReason;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.ProtocolException;
import io.gencluster.dist.tcp.wire.RefusedException;
import java.io.EOFException;
import java.lang.System.Logger.Level;

/**
 * Any failure of a connection, in whatever state: close it (with a last REFUSE where this side
 * refused), tell whoever waits (the node's listeners, or the dial's waiters), and log what an
 * operator needs — routine outcomes of simultaneous connects only at debug level.
 */
final class ConnectionFailures {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());

    private final ConnectionTable table;
    private final OpenConnections open;
    private final DialOutcomes dials;
    private final OutboundFrames outbound;

    ConnectionFailures(ConnectionTable table, OpenConnections open, DialOutcomes dials, OutboundFrames outbound) {
        this.table = table;
        this.open = open;
        this.dials = dials;
        this.outbound = outbound;
    }

    void failed(Connection c, Exception e) {
        if (c.isClosed()) {
            return;
        }
        if (c.state == Connection.State.UP) {
            if (e instanceof ProtocolException) {
                LOG.log(Level.WARNING, "protocol error from {0}: {1}; connection closed", c.peer, e.getMessage());
                open.lost(c, DownReason.PROTOCOL_ERROR, e.getMessage());
            } else {
                open.lost(c, DownReason.CONNECTION_CLOSED, message(e));
            }
            return;
        }
        RefusedException refused = e instanceof RefusedException ? (RefusedException) e : null;
        if (refused != null && refused.reply() != null) {
            outbound.sendLast(c, refused.reply());
        } else {
            open.discard(c, message(e));
        }
        if (c.initiated) {
            dialFailed(c, e, refused);
            return;
        }
        if (refused != null) {
            boolean routine = refused.code() == FrameCodec.REFUSED_ALREADY_CONNECTED || refused.code() == FrameCodec.REFUSED_SIMULTANEOUS;
            LOG.log(routine ? Level.DEBUG : Level.WARNING, "connection from {0} refused: {1}", c.remote, e.getMessage());
        } else if (e instanceof EOFException) {
            // routine: a dialler that gave up, or lost a simultaneous connect and dropped its attempt
            LOG.log(Level.DEBUG, "connection from {0} closed by the peer during the handshake", c.remote);
        } else {
            LOG.log(Level.WARNING, "handshake with {0} failed: {1}; connection closed", c.remote, message(e));
        }
    }

    private void dialFailed(Connection c, Exception e, RefusedException refused) {
        Dial d = c.dial;
        if (d == null) {
            return;
        }
        if (refused != null && (refused.code() == FrameCodec.REFUSED_ALREADY_CONNECTED || refused.code() == FrameCodec.REFUSED_SIMULTANEOUS)) {
            // the other connection between the same two nodes is the one kept: wait for it
            synchronized (table) {
                if (d.attempt == c) {
                    d.attempt = null;
                }
                d.waitingFor = e.getMessage() + "; waiting for the connection from " + d.node;
                if (table.connections.containsKey(d.node)) {
                    dials.succeed(d);
                }
            }
            return;
        }
        if (refused != null) {
            LOG.log(refused.code() == FrameCodec.REFUSED_COOKIE || refused.code() == FrameCodec.REFUSED_NOT_THIS_NODE ? Level.WARNING : Level.INFO,
                    "connection to {0} at {1} refused: {2}", d.node, c.remote, e.getMessage());
            dials.fail(d, "connection to " + d.node + " at " + c.remote + " refused: " + e.getMessage());
        } else if (e instanceof EOFException && c.state == Connection.State.HANDSHAKE) {
            dials.fail(d, "cannot connect to " + d.node + " at " + c.remote + ": closed by the peer during the handshake"
                    + " (is it at max.handshakes, or not a gen-cluster node?)");
        } else {
            dials.fail(d, "cannot connect to " + d.node + " at " + c.remote + ": " + message(e));
        }
    }

    /** An exception's message, or its class where it has none. */
    static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
