package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Connects this node to others for {@link ErlangDist#connect}: at most one dial per node at a
 * time, however many callers wait for it; the port from EPMD on the node's host unless the peer
 * names it; the handshake as the dialling side ({@link Authenticator}), within the outbound slots
 * of {@link HandshakeSlots}, then {@link Admission}. Nodes of the other naming mode (short or long
 * names) are refused before any dial, as Erlang nodes cannot connect across it.
 *
 * <p>A node that answers {@code nok} (it dials this node itself and its attempt wins) has proved
 * nothing: should no connection to it be up one handshake timeout later while callers still wait,
 * the node is dialled again, so such an answer cannot stop a dial for good.
 */
final class Dialer {

    private static final System.Logger LOG = System.getLogger(Dialer.class.getName());
    private static final Duration EPMD_TIMEOUT = Duration.ofSeconds(2);

    private final Connections connections;
    private final DialAttempts dials;
    private final ConnectResults results;
    private final HandshakeSlots slots;
    private final Authenticator authenticator;
    private final Admission admission;
    private final ScheduledExecutorService timer;
    private final NodeName self;
    private final Duration handshakeTimeout;
    private final int epmdPort;

    Dialer(ErlangDistSettings settings, Connections connections, DialAttempts dials, ConnectResults results, HandshakeSlots slots,
            Authenticator authenticator, Admission admission, ScheduledExecutorService timer) {
        this.connections = connections;
        this.dials = dials;
        this.results = results;
        this.slots = slots;
        this.authenticator = authenticator;
        this.admission = admission;
        this.timer = timer;
        this.self = settings.self;
        this.handshakeTimeout = settings.handshakeTimeout;
        this.epmdPort = settings.epmdPort;
    }

    CompletionStage<Void> connect(Peer peer, Duration timeout) {
        NodeName node = peer.node();
        if (node.equals(self)) {
            return CompletableFuture.failedFuture(new IOException("cannot connect " + self + " to itself"));
        }
        if (!connections.admitting()) {
            return CompletableFuture.failedFuture(new IOException("the transport of " + self + " is closed"));
        }
        if (NameMode.of(node) != NameMode.of(self)) {
            RefusedException e = new RefusedException("other name mode", "not connecting to " + node + ": it uses " + NameMode.of(node).option()
                    + ", this node " + self + " uses " + NameMode.of(self).option() + "; Erlang nodes of the two kinds cannot connect");
            results.refused(node, e);
            return CompletableFuture.failedFuture(e);
        }
        if (connections.live(node) != null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> result = results.waiter(node, timeout);
        start(peer);
        // a connection may have come up between the check above and adding the waiter
        if (connections.live(node) != null) {
            result.complete(null);
        }
        return result;
    }

    /** Dials {@code peer} unless a dial to it is in progress already. */
    private void start(Peer peer) {
        NodeName node = peer.node();
        DialAttempts.Attempt attempt = dials.begin(node);
        if (attempt != null && !slots.runOutbound(() -> dial(peer, attempt))) {
            dials.end(node, attempt);
            results.failed(node, new IOException(slots.outboundMax() + " dials already in progress (handshakes.outbound.max);"
                    + " not dialling " + node + " now"));
        }
    }

    /** After a {@code nok}: dials again if the node's own connection has not come up by then and callers still wait. */
    private void redialLater(Peer peer) {
        timer.schedule(() -> {
            if (connections.admitting() && connections.live(peer.node()) == null && results.waiting(peer.node())) {
                LOG.log(Level.DEBUG, "{0} answered nok but its own connection did not come up; dialling again", peer.node());
                start(peer);
            }
        }, handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void dial(Peer peer, DialAttempts.Attempt attempt) {
        NodeName node = peer.node();
        Socket socket = null;
        try {
            int port = peer.port().isPresent() ? peer.port().getAsInt() : portFromEpmd(node);
            socket = new Socket();
            attempt.dialsOn(socket);
            Authenticator.Deadline deadline = authenticator.deadline(socket);
            try {
                socket.connect(new InetSocketAddress(node.host(), port), (int) handshakeTimeout.toMillis());
                if (attempt.cancelled()) {
                    throw new SimultaneousConnectException("given up for " + node + "'s own connection");
                }
                Authenticator.Authenticated a = authenticator.initiate(socket, node,
                        () -> connections.live(node) != null || admission.accepting(node));
                deadline.cancel();
                admission.admit(a);
                socket = null;
            } finally {
                deadline.cancel();
            }
        } catch (SimultaneousConnectException e) {
            LOG.log(Level.DEBUG, "dialling {0}: {1}", node, e.getMessage());
            if (!attempt.cancelled()) {
                redialLater(peer);
            }
        } catch (RefusedException e) {
            results.refused(node, e);
            results.failed(node, e);
        } catch (IOException | RuntimeException e) {
            if (!attempt.cancelled()) {
                String why = e.getMessage() != null ? e.getMessage()
                        : e instanceof java.io.EOFException ? "it closed the connection during the handshake" : e.getClass().getSimpleName();
                results.failed(node, new IOException("cannot connect to " + node + ": " + why, e));
            }
        } finally {
            dials.end(node, attempt);
            Authenticator.closeQuietly(socket);
        }
    }

    private int portFromEpmd(NodeName node) throws IOException {
        NodeEntry e = new EpmdClient(node.host(), epmdPort, EPMD_TIMEOUT).portPlease(node.name());
        if (e == null) {
            throw new IOException(node.name() + " is not registered with EPMD on " + node.host() + ":" + epmdPort);
        }
        if (e.highestVersion < 6) {
            throw new IOException(node + " speaks distribution version " + e.highestVersion + " only; 6 (OTP 23+) is needed");
        }
        return e.port;
    }
}
