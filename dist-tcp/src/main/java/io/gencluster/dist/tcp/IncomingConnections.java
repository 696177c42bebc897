package io.gencluster.dist.tcp;

import io.gencluster.dist.kit.RefusalLog;
import io.gencluster.dist.tcp.wire.Handshake;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The listening socket, and the peers' connections it accepts: at most {@code max.handshakes}
 * incoming handshakes at once, and at most {@code max.handshakes.per.address} from one remote
 * address, so that a flood from one address leaves room for others' (more are closed at once and
 * counted in the {@link ConnectionFailures#refusals refusal log}); each with its deadline and, with
 * TLS on, its TLS session.
 */
final class IncomingConnections {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());
    private final TcpDistSettings settings;
    private final IoThread io;
    private final OpenConnections open;
    private final Authenticator authenticator;
    private final Handshake handshake;
    private final TlsSessions tls;
    private final RefusalLog refusals;
    private ServerSocketChannel server;
    private volatile int boundPort;

    IncomingConnections(TcpDistSettings settings, IoThread io, OpenConnections open, Authenticator authenticator, Handshake handshake,
            TlsSessions tls, RefusalLog refusals) {
        this.settings = settings;
        this.io = io;
        this.open = open;
        this.authenticator = authenticator;
        this.handshake = handshake;
        this.tls = tls;
        this.refusals = refusals;
    }

    /** Binds the listening socket and registers it with the selector; on failure nothing stays open. */
    ServerSocketChannel bind() throws IOException {
        try {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(InetAddress.getByName(settings.bindAddress), settings.port), 128);
            server.configureBlocking(false);
            server.register(io.selector(), SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        boundPort = server.socket().getLocalPort();
        return server;
    }

    /** The port actually bound (useful with port 0). */
    int port() {
        return boundPort;
    }

    /** Selector thread: every connection waiting to be accepted. */
    void acceptAll() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                LOG.log(Level.ERROR, "accepting connections on port " + port() + " failed", e);
                return;
            }
            if (channel == null) {
                return;
            }
            long now = settings.clock.millis();
            InetSocketAddress remote = remote(channel);
            InetAddress from = remote == null ? null : remote.getAddress();
            if (open.incomingHandshakes() >= settings.maxHandshakes) {
                closeQuietly(channel);
                refusals.refused(from, "too many handshakes in progress (max.handshakes = " + settings.maxHandshakes + ")");
                continue;
            }
            if (open.incomingHandshakesFrom(from) >= settings.maxHandshakesPerAddress) {
                closeQuietly(channel);
                refusals.refused(from, "too many handshakes in progress from this address (max.handshakes.per.address = "
                        + settings.maxHandshakesPerAddress + ")");
                continue;
            }
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection c = new Connection(channel, false, String.valueOf(remote), settings.sendQueueBytes, settings.clock);
                c.deadline = now + settings.handshakeTimeout.toMillis();
                c.acceptor = handshake.new Acceptor(claimed -> authenticator.checkCertificate(c, claimed), port());
                if (settings.tls != null) {
                    c.link = tls.server(c);
                    c.state = Connection.State.TLS;
                } else {
                    c.link = Link.plain(channel);
                }
                open.countIncoming(c, from);
                open.add(c);
                c.key = channel.register(io.selector(), SelectionKey.OP_READ, c);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                refusals.refused(from, "closed at once: " + ConnectionFailures.message(e));
            }
        }
    }

    void close() {
        closeQuietly(server);
    }

    private static InetSocketAddress remote(SocketChannel channel) {
        try {
            return channel.getRemoteAddress() instanceof InetSocketAddress a ? a : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }
}
