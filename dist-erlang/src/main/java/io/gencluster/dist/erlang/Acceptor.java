package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.RefusalLog;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Listens for nodes dialling this one: each accepted socket gets the handshake as the accepting
 * side ({@link Authenticator}) on a handshake thread, within the inbound slots of
 * {@link HandshakeSlots}, then {@link Admission}. A socket without a slot is closed at once. Every
 * refused or failed handshake is counted in the {@link RefusalLog} by source address and a fixed
 * cause, so a flood of garbage or wrong cookies writes a few summary lines, not one per connection;
 * the details (peer-supplied parts escaped) go to the debug log.
 */
final class Acceptor {

    private static final System.Logger LOG = System.getLogger(Acceptor.class.getName());

    private final NodeName self;
    private final String bindAddress;
    private final int bindPort;
    private final HandshakeSlots slots;
    private final Authenticator authenticator;
    private final Admission admission;
    private final RefusalLog refusals;
    private volatile ServerSocket server;
    private volatile boolean closed;

    Acceptor(ErlangDistSettings settings, HandshakeSlots slots, Authenticator authenticator, Admission admission, RefusalLog refusals) {
        this.self = settings.self;
        this.bindAddress = settings.bindAddress;
        this.bindPort = settings.port;
        this.slots = slots;
        this.authenticator = authenticator;
        this.admission = admission;
        this.refusals = refusals;
    }

    /** A log of refused handshakes for an {@link Acceptor}, summarised every 10 s, on this class's logger. */
    static RefusalLog refusalLog() {
        return RefusalLog.every10s(LOG, "handshakes");
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
                    LOG.log(Level.ERROR, "{0} stopped accepting connections: {1}", self, String.valueOf(e));
                }
                return;
            }
            InetAddress from = socket.getInetAddress();
            String busy = slots.runInbound(from, () -> accepted(socket));
            if (busy != null) {
                Authenticator.closeQuietly(socket);
                refusals.refused(from, busy);
            }
        }
    }

    private void accepted(Socket socket) {
        Authenticator.Deadline deadline = authenticator.deadline(socket);
        try (Admission.Accepting arbiter = admission.accepting()) {
            Authenticator.Authenticated peer = authenticator.accept(socket, arbiter);
            deadline.cancel();
            admission.admit(peer);
            return;
        } catch (SimultaneousConnectException e) {
            LOG.log(Level.DEBUG, "incoming connection: {0}", e.getMessage());
        } catch (IOException | RuntimeException e) {
            refusals.refused(socket.getInetAddress(), cause(e, deadline));
            // messages carry peer-supplied text escaped already
            LOG.log(Level.DEBUG, "incoming connection from {0} refused: {1}", socket.getRemoteSocketAddress(), String.valueOf(e));
        } finally {
            deadline.cancel();
        }
        Authenticator.closeQuietly(socket);
    }

    /** The fixed text a failure is counted under: never peer-supplied, never null. */
    static String cause(Exception e, Authenticator.Deadline deadline) {
        if (e instanceof RefusedException r) {
            return r.cause;
        }
        if (deadline.fired() || e instanceof SocketTimeoutException) {
            return "handshake timed out";
        }
        if (e instanceof EOFException) {
            return "closed during the handshake";
        }
        if (e instanceof IOException) {
            return "connection failed during the handshake (" + e.getClass().getSimpleName() + ")";
        }
        return "handshake failed (" + e.getClass().getSimpleName() + ")";
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
