package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NoEpmdException;
import io.gencluster.epmd.NodeEntry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Dialling a node: one {@link Dial} per node however many ask, its port found (from discovery,
 * from the node's host's port mapper, or {@code peer.port}) and its host resolved on a small pool,
 * since either may block (a peer given by address and port skips it), then its socket opened on
 * the selector thread and, once connected, TLS and the handshake begun.
 */
final class Dialer {

    private static final int MAX_RESOLVERS = 4;
    private static final int MAX_RESOLVES_QUEUED = 1024;

    private final TcpDistSettings settings;
    private final Clock clock;
    private final IoThread io;
    private final ConnectionTable table;
    private final DialOutcomes dials;
    private final OpenConnections open;
    private final InboundFrames frames;
    private final HandshakeFrames handshakes;
    private final TlsSessions tls;
    private final SilentPortMappers silentMappers = new SilentPortMappers();
    private ThreadPoolExecutor resolver;

    Dialer(TcpDistSettings settings, IoThread io, ConnectionTable table, DialOutcomes dials, OpenConnections open, InboundFrames frames,
            HandshakeFrames handshakes, TlsSessions tls) {
        this.settings = settings;
        this.clock = settings.clock;
        this.io = io;
        this.table = table;
        this.dials = dials;
        this.open = open;
        this.frames = frames;
        this.handshakes = handshakes;
        this.tls = tls;
    }

    void start(PoolThreads threads) {
        resolver = threads.pool("resolve", MAX_RESOLVERS, MAX_RESOLVES_QUEUED);
        tls.start(threads);
    }

    /** Resolving and TLS handshake work stop; dials still resolving fail when the transport closes. */
    void stop() {
        resolver.shutdownNow();
        tls.stop();
    }

    void awaitStopped(long millis) throws InterruptedException {
        resolver.awaitTermination(millis, TimeUnit.MILLISECONDS);
        tls.awaitStopped(millis);
    }

    CompletionStage<Void> connect(Peer peer, Duration timeout) {
        NodeName node = peer.node();
        NodeName self = settings.self;
        if (node.equals(self)) {
            return CompletableFuture.failedFuture(new IOException("will not connect " + self + " to itself"));
        }
        if (peer.port().isEmpty() && settings.peerPort == 0 && !settings.epmdRegister) {
            return CompletableFuture.failedFuture(new IOException("no port known for " + node
                    + "; set peer.port (discovery gave none and EPMD is off)"));
        }
        if (!io.started()) {
            return CompletableFuture.failedFuture(new IOException("transport of " + self + " is not started"));
        }
        long timeoutMs = Math.max(1, timeout.toMillis());
        Dial.Waiter waiter = new Dial.Waiter(clock.millis() + timeoutMs, timeoutMs);
        Dial dial;
        synchronized (table) {
            if (table.closed) {
                return CompletableFuture.failedFuture(new IOException("transport of " + self + " is closed"));
            }
            if (table.connections.containsKey(node)) {
                return CompletableFuture.completedFuture(null);
            }
            dial = table.dialling.get(node);
            if (dial != null) {
                dial.waiters.add(waiter);
                io.post(() -> { }); // a select timeout computed before this waiter may be too long
                return waiter.future.copy();
            }
            dial = new Dial(node, peer.port().orElse(0));
            dial.waiters.add(waiter);
            table.dialling.put(node, dial);
        }
        Dial d = dial;
        if (d.knownPort != 0 && AddressLiteral.is(node.host())) {
            // nothing to look up, so nothing that could block: straight to the selector thread
            InetSocketAddress address = new InetSocketAddress(node.host(), d.knownPort);
            io.post(() -> open(d, address));
            return waiter.future.copy();
        }
        try {
            resolver.execute(() -> resolve(d));
        } catch (RejectedExecutionException e) {
            dials.fail(d, "too many connects in progress; " + node + " not dialled");
        }
        io.post(() -> { });
        return waiter.future.copy();
    }

    /** On a resolver thread: the port (EPMD may be asked) and the address, both of which may block. */
    private void resolve(Dial d) {
        NodeName node = d.node;
        int port = d.knownPort;
        try {
            if (port == 0) {
                port = portOf(node);
            }
            InetSocketAddress address = new InetSocketAddress(node.host(), port);
            if (address.isUnresolved()) {
                throw new IOException("host " + node.host() + " does not resolve");
            }
            io.post(() -> open(d, address));
        } catch (IOException | RuntimeException e) {
            String where = port == 0 ? "" : " at " + node.host() + ":" + port;
            dials.fail(d, "cannot connect to " + node + where + ": " + ConnectionFailures.message(e));
        }
    }

    /**
     * A peer without a known port: the port its host's port mapper gives for it (PORT_PLEASE2);
     * where that host has no port mapper, its mapper does not answer (a frozen mapper accepts and
     * never replies: the lookup is bounded by the handshake timeout), or it does not know the node,
     * {@code peer.port}: one port shared by every node, as in Kubernetes, where a pod has no port
     * mapper to ask. Runs on a resolver thread, never the selector's.
     */
    private int portOf(NodeName node) throws IOException {
        if (!settings.epmdRegister) {
            return settings.peerPort;
        }
        NodeEntry e;
        try {
            e = new EpmdClient(node.host(), settings.epmdPort, settings.handshakeTimeout).portPlease(node.name());
        } catch (IOException noAnswer) {
            if (settings.peerPort == 0) {
                throw noAnswer;
            }
            if (!(noAnswer instanceof NoEpmdException)) {
                // nothing listening is the usual case (Kubernetes) and says nothing; a mapper that does not answer is news
                silentMappers.fallingBack(node.host(), settings.epmdPort, ConnectionFailures.message(noAnswer), settings.peerPort);
            }
            return settings.peerPort;
        }
        silentMappers.answered(node.host(), settings.epmdPort);
        if (e != null) {
            return e.port;
        }
        if (settings.peerPort == 0) {
            throw new IOException("EPMD on " + node.host() + ":" + settings.epmdPort + " does not know " + node.name()
                    + " and peer.port is 0");
        }
        return settings.peerPort;
    }

    /** Selector thread: opens the socket of a dial. */
    private void open(Dial d, InetSocketAddress address) {
        synchronized (table) {
            if (d.finished) {
                return;
            }
            if (table.connections.containsKey(d.node)) {
                dials.succeed(d);
                return;
            }
        }
        if (open.outgoingHandshakes() >= settings.maxOutgoingHandshakes) {
            dials.fail(d, "cannot connect to " + d.node + ": " + settings.maxOutgoingHandshakes
                    + " connects already in their handshake (max.handshakes.outgoing)");
            return;
        }
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            String where = d.node.host() + ":" + address.getPort();
            Connection c = new Connection(channel, true, where, settings.sendQueueBytes, clock);
            c.peer = d.node;
            c.dial = d;
            c.deadline = Long.MAX_VALUE; // until the socket connects, the dial's waiters bound it
            d.attempt = c;
            open.add(c);
            open.countOutgoing(c);
            boolean connected = channel.connect(address);
            c.key = channel.register(io.selector(), connected ? 0 : SelectionKey.OP_CONNECT, c);
            if (connected) {
                connected(c);
            }
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // failing the dial below
                }
            }
            dials.fail(d, "cannot connect to " + d.node + " at " + d.node.host() + ":" + address.getPort() + ": "
                    + ConnectionFailures.message(e));
        }
    }

    /** Selector thread: the socket of a dial is connected; TLS, then the handshake, begin. */
    void connected(Connection c) throws IOException {
        c.deadline = clock.millis() + settings.handshakeTimeout.toMillis();
        if (settings.tls != null) {
            c.link = tls.client(c);
            c.state = Connection.State.TLS;
            frames.tls(c);
        } else {
            c.link = Link.plain(c.channel);
            handshakes.hello(c);
        }
        c.interest();
    }
}
