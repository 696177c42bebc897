package io.gencluster.dist.tcp;

import io.gencluster.dist.tcp.tls.TlsLink;
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
 * incoming handshakes at once (more are closed at once, logged at most every 10 s), each with its
 * deadline and, with TLS on, its TLS session.
 */
final class IncomingConnections {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());
    private static final long BUSY_LOG_INTERVAL_MS = 10_000;

    private final TcpDistSettings settings;
    private final IoThread io;
    private final OpenConnections open;
    private final Admission admission;
    private final Handshake handshake;
    private ServerSocketChannel server;
    private volatile int boundPort;
    private long lastBusyLog = Long.MIN_VALUE / 2; // selector thread only

    IncomingConnections(TcpDistSettings settings, IoThread io, OpenConnections open, Admission admission, Handshake handshake) {
        this.settings = settings;
        this.io = io;
        this.open = open;
        this.admission = admission;
        this.handshake = handshake;
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
            String remote = remote(channel);
            if (open.handshakesInProgress() >= settings.maxHandshakes) {
                closeQuietly(channel);
                if (now - lastBusyLog > BUSY_LOG_INTERVAL_MS) {
                    lastBusyLog = now;
                    LOG.log(Level.WARNING, "{0}: {1,number,#} handshakes already in progress (max.handshakes); closing new connections such as {2}",
                            settings.self, settings.maxHandshakes, remote);
                }
                continue;
            }
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection c = new Connection(channel, false, remote, settings.sendQueueBytes, settings.clock);
                c.deadline = now + settings.handshakeTimeout.toMillis();
                c.acceptor = handshake.new Acceptor(initiator -> admission.admitInitiator(c, initiator), port());
                if (settings.tls != null) {
                    c.link = TlsLink.server(channel, settings.tls);
                    c.state = Connection.State.TLS;
                } else {
                    c.link = Link.plain(channel);
                }
                open.countHandshake(c);
                open.add(c);
                c.key = channel.register(io.selector(), SelectionKey.OP_READ, c);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                LOG.log(Level.WARNING, "connection from {0} closed at once: {1}", remote, ConnectionFailures.message(e));
            }
        }
    }

    void close() {
        closeQuietly(server);
    }

    private static String remote(SocketChannel channel) {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "?";
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
