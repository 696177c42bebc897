package io.gencluster.dist.erlang;

import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlPid;
import io.gencluster.erlang.Term;
import io.gencluster.erlang.TermCodec;
import io.gencluster.erlang.TermFormatException;
import java.time.Duration;

/**
 * What this node sends to Erlang processes: each message framed with its control message
 * ({@link ControlMessages}) and queued on the connection to the process's node, waiting at most
 * the caller's {@code maxWait} for room. A message over {@code max.frame.bytes}, to a node not
 * connected, or to a name that is no atom fails at once with a {@link MessagingException}.
 */
final class Outbound {

    /** A message framed larger than this ({@code max.frame.bytes}) fails at once. */
    private final int maxFrameBytes;
    private final Connections connections;
    private final MailboxPids pids;

    Outbound(ErlangDistSettings settings, Connections connections, MailboxPids pids) {
        this.maxFrameBytes = settings.maxFrameBytes;
        this.connections = connections;
        this.pids = pids;
    }

    /** {@code {name, node} ! payload}: the payload is one encoded term; sent from the pid of no mailbox. */
    void send(NodeName node, String registeredName, byte[] payload, Duration maxWait) throws MessagingException {
        try {
            TermCodec.decode(payload);
        } catch (TermFormatException e) {
            throw new MessagingException("payload for " + registeredName + " on " + node + " is not one term in"
                    + " external term format (version byte 131 first): " + e.getMessage());
        }
        checkAtom(registeredName);
        transmit(node, ControlMessages.frame(ControlMessages.regSend(pids.none(), registeredName), payload), maxWait);
    }

    /** {@code {name, node} ! message}, sent from the pid of mailbox {@code fromMailbox}. */
    void send(NodeName node, String registeredName, Term message, String fromMailbox, Duration maxWait) throws MessagingException {
        checkAtom(registeredName);
        transmit(node, ControlMessages.frame(ControlMessages.regSend(pids.pid(fromMailbox), registeredName), TermCodec.encode(message)),
                maxWait);
    }

    /** {@code to ! message}. */
    void send(ErlPid to, Term message, Duration maxWait) throws MessagingException {
        NodeName node;
        try {
            node = NodeName.parse(to.node().name());
        } catch (IllegalArgumentException e) {
            throw new MessagingException("pid " + to + " names no reachable node: " + e.getMessage());
        }
        transmit(node, ControlMessages.frame(ControlMessages.send(to), TermCodec.encode(message)), maxWait);
    }

    private static void checkAtom(String name) throws MessagingException {
        try {
            ErlAtom.of(name);
        } catch (IllegalArgumentException e) {
            throw new MessagingException("registered name '" + name + "': " + e.getMessage());
        }
    }

    private void transmit(NodeName node, byte[] frame, Duration maxWait) throws MessagingException {
        if (frame.length - 4 > maxFrameBytes) {
            throw new MessagingException("message of " + (frame.length - 4) + " bytes to " + node
                    + " exceeds max.frame.bytes " + maxFrameBytes);
        }
        Connection c = connections.get(node);
        if (c == null || c.isClosed()) {
            throw new MessagingException(node + " is not connected");
        }
        try {
            if (!c.send(frame, maxWait.toNanos())) {
                throw new MessagingException(c.isClosed() ? "connection to " + node + " closed"
                        : "send queue to " + node + " stayed full for " + maxWait.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("interrupted while waiting for room in the send queue to " + node);
        }
    }
}
