package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The one place a socket becomes a connection to a node: runs the {@link Handshake} in either
 * role, within the handshake timeout (every read waits at most that long, and a {@link Deadline}
 * closes the socket when the whole exchange overruns it, a peer trickling bytes), and returns an
 * {@link Authenticated} peer only once that peer proved the cookie. Only this class creates one,
 * and only an {@link Authenticated} peer may touch the connections, the dials or the node events
 * ({@link Admission#admit}): whatever a peer does before that has no effect beyond its own socket.
 */
final class Authenticator {

    /** A peer that proved the cookie on {@link #socket}; its frames follow on {@link #in} (some may be buffered). */
    static final class Authenticated {
        final Handshake.Result result;
        final Socket socket;
        final DataInputStream in;
        /** This node accepted the connection (the peer dialled). */
        final boolean accepted;

        private Authenticated(Handshake.Result result, Socket socket, DataInputStream in, boolean accepted) {
            this.result = result;
            this.socket = socket;
            this.in = in;
            this.accepted = accepted;
        }

        NodeName peer() {
            return result.peer();
        }
    }

    /** Closes a handshake's socket when it overruns; cancelled once the handshake ends. */
    static final class Deadline {
        private final ScheduledFuture<?> future;
        private volatile boolean fired;

        private Deadline(Socket socket, Duration timeout, ScheduledExecutorService timer) {
            this.future = timer.schedule(() -> {
                fired = true;
                closeQuietly(socket);
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        void cancel() {
            future.cancel(false);
        }

        /** Whether the handshake overran and its socket was closed for it. */
        boolean fired() {
            return fired;
        }
    }

    private final ScheduledExecutorService timer;
    private final Duration timeout;
    private volatile Handshake handshake;

    Authenticator(Duration timeout, ScheduledExecutorService timer) {
        this.timer = timer;
        this.timeout = timeout;
    }

    /** From now on handshakes speak as {@code handshake}: its creation is known once the node listens. */
    void speakAs(Handshake handshake) {
        this.handshake = handshake;
    }

    /** Closes {@code socket} after the handshake timeout unless cancelled first. */
    Deadline deadline(Socket socket) {
        return new Deadline(socket, timeout, timer);
    }

    /** As the dialling side, on a connected socket; {@code connected} as for {@link Handshake#initiate}. */
    Authenticated initiate(Socket socket, NodeName dialled, BooleanSupplier connected) throws IOException {
        DataInputStream in = prepare(socket);
        return new Authenticated(handshake.initiate(in, output(socket), dialled, connected), socket, in, false);
    }

    /** As the accepting side; {@code arbiter} answers the status, with no side effect. */
    Authenticated accept(Socket socket, Handshake.Arbiter arbiter) throws IOException {
        DataInputStream in = prepare(socket);
        return new Authenticated(handshake.accept(in, output(socket), arbiter), socket, in, true);
    }

    private DataInputStream prepare(Socket socket) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        socket.setTcpNoDelay(true);
        return new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    }

    private static DataOutputStream output(Socket socket) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
