package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * Listens for nodes dialling this one: each accepted socket gets the handshake as the accepting
 * side on a handshake thread, then {@link Admission}. When {@link Handshakes#MAX} are in progress,
 * further sockets are closed at once (logged at most every ten seconds), so a flood of dials costs
 * no more threads.
 */
final class Acceptor {

    private static final System.Logger LOG = System.getLogger(Acceptor.class.getName());
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final NodeName self;
    private final String bindAddress;
    private final int bindPort;
    private final Handshakes handshakes;
    private final Admission admission;
    private volatile ServerSocket server;
    private volatile boolean closed;
    private volatile long lastBusyLog;

    Acceptor(ErlangDistSettings settings, Handshakes handshakes, Admission admission) {
        this.self = settings.self;
        this.bindAddress = settings.bindAddress;
        this.bindPort = settings.port;
        this.handshakes = handshakes;
        this.admission = admission;
    }

    /** Binds the listening socket to the configured address and port; port 0 picks a free one. */
    void bind() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(bindAddress, bindPort), 64);
    }

    /** The port listened on, once bound. */
    int port() {
        return server.getLocalPort();
    }

    /** Starts the accepting thread. */
    void start() {
        Thread t = new Thread(this::acceptLoop, "gencluster-erlang-accept-" + self);
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.ERROR, "{0} stopped accepting connections: {1}", self, e.getMessage());
                }
                return;
            }
            if (!handshakes.run(() -> accepted(socket))) {
                Handshakes.closeQuietly(socket);
                long now = System.nanoTime();
                if (now - lastBusyLog > LOG_INTERVAL_NANOS) {
                    lastBusyLog = now;
                    LOG.log(Level.WARNING, "{0} handshakes in progress: closing further incoming connections", String.valueOf(Handshakes.MAX));
                }
            }
        }
    }

    private void accepted(Socket socket) {
        Handshakes.Deadline deadline = handshakes.deadline(socket);
        try {
            Handshakes.Completed h = handshakes.accept(socket, admission);
            deadline.cancel();
            admission.admit(h);
            return;
        } catch (SimultaneousConnectException e) {
            LOG.log(Level.DEBUG, "incoming connection: {0}", e.getMessage());
        } catch (RefusedException e) {
            LOG.log(Level.WARNING, "{0}", e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.INFO, "incoming connection from {0} failed during the handshake: {1}",
                    socket.getRemoteSocketAddress(), e.getMessage());
        } finally {
            deadline.cancel();
        }
        Handshakes.closeQuietly(socket);
    }

    /** Stops listening; connections accepted before stay. */
    void close() {
        closed = true;
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
