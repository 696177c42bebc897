package io.gencluster.dist.tcp;

import io.gencluster.api.DownReason;
import io.gencluster.dist.kit.RefusalLog;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.ProtocolException;
import io.gencluster.dist.tcp.wire.RefusedException;
import java.io.EOFException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * Any failure of a connection, in whatever state: close it (with a last REFUSE where this side
 * refused), tell whoever waits (the node's listeners, or the dial's waiters), and log what an
 * operator needs. A connection that was up going down is a state change, logged as such; a
 * refused or failed handshake, in or out, goes to the {@link #refusals refusal log}, which
 * summarises them per source and cause, so that no peer can flood the log; routine outcomes of
 * simultaneous connects are logged only at debug level.
 */
final class ConnectionFailures {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());

    private final TcpDistSettings settings;
    private final ConnectionTable table;
    private final OpenConnections open;
    private final DialOutcomes dials;
    private final OutboundFrames outbound;
    /** Refused and failed handshakes, summarised every 10 s per source and cause; flushed by the heartbeat sweep. */
    final RefusalLog refusals;

    ConnectionFailures(TcpDistSettings settings, ConnectionTable table, OpenConnections open, DialOutcomes dials, OutboundFrames outbound) {
        this.settings = settings;
        this.table = table;
        this.open = open;
        this.dials = dials;
        this.outbound = outbound;
        this.refusals = new RefusalLog(LOG, "connections", 10_000, () -> TimeUnit.MILLISECONDS.toNanos(settings.clock.millis()));
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
        if (refused != null && routine(refused)) {
            LOG.log(Level.DEBUG, "connection from {0} refused: {1}", c.remote, e.getMessage());
        } else if (e instanceof EOFException) {
            // routine: a dialler that gave up, or lost a simultaneous connect and dropped its attempt
            LOG.log(Level.DEBUG, "connection from {0} closed by the peer during the handshake", c.remote);
        } else {
            refusals.refused(source(c), cause(e));
        }
    }

    /** An incoming handshake past its deadline (the heartbeat sweep found it): closed and counted. */
    void handshakeTimedOut(Connection c) {
        open.discard(c, "handshake timed out");
        refusals.refused(source(c), "handshake timed out after " + settings.handshakeTimeout.toMillis() + " ms");
    }

    private void dialFailed(Connection c, Exception e, RefusedException refused) {
        Dial d = c.dial;
        if (d == null) {
            return;
        }
        if (refused != null && routine(refused)) {
            // the acceptor proved itself in its refusal (the handshake checked): the other connection
            // between the same two nodes is the one kept, so wait for it
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
            refusals.refused("dialled node " + d.node + " at " + c.remote, e.getMessage());
            dials.fail(d, "connection to " + d.node + " at " + c.remote + " refused: " + e.getMessage());
        } else if (e instanceof EOFException && c.state == Connection.State.HANDSHAKE) {
            dials.fail(d, "cannot connect to " + d.node + " at " + c.remote + ": closed by the peer during the handshake"
                    + " (is it at max.handshakes, or not a gen-cluster node?)");
        } else {
            dials.fail(d, "cannot connect to " + d.node + " at " + c.remote + ": " + message(e));
        }
    }

    /** Already connected, or a simultaneous connect: the pair keeps another connection. */
    private static boolean routine(RefusedException refused) {
        return refused.code() == FrameCodec.REFUSED_ALREADY_CONNECTED || refused.code() == FrameCodec.REFUSED_SIMULTANEOUS;
    }

    /** The cause under which a failed incoming handshake is counted: a short text, the same for the same fault. */
    private static String cause(Exception e) {
        return e instanceof ProtocolException p ? p.kind() : message(e);
    }

    /** The remote address of an incoming connection, also once it is closed. */
    private static InetAddress source(Connection c) {
        return c.channel.socket().getInetAddress();
    }

    /** An exception's message, or where it has none, what its type means: never "null". */
    static String message(Throwable e) {
        String m = e.getMessage();
        if (m != null && !m.isBlank()) {
            return m;
        }
        if (e instanceof EOFException) {
            return "closed by the peer";
        }
        if (e instanceof ClosedChannelException) {
            return "the connection was closed";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e.getCause() != null && e.getCause() != e) {
            return message(e.getCause());
        }
        return "unexpected " + e.getClass().getSimpleName() + " (no detail given)";
    }
}
