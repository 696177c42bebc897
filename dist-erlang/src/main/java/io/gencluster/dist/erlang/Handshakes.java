package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the {@link Handshake}s of both roles, at most {@link #MAX} at once on threads of their own,
 * each within the handshake timeout: every read waits at most that long, and a {@link Deadline}
 * closes the socket when the whole exchange overruns it (a peer trickling bytes).
 */
final class Handshakes {

    /** Handshakes at once, both roles; more incoming ones are closed, more dials fail at once. */
    static final int MAX = 16;

    /** A completed handshake: the peer and the socket, with the stream its frames follow on (some may be buffered). */
    record Completed(Handshake.Result result, Socket socket, DataInputStream in) {
    }

    /** Closes a handshake's socket when it overruns; cancelled once the handshake ends. */
    record Deadline(ScheduledFuture<?> future) {
        void cancel() {
            future.cancel(false);
        }
    }

    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService timer;
    private final Duration timeout;
    private volatile Handshake handshake;

    Handshakes(ErlangDistSettings settings, ScheduledExecutorService timer) {
        this.timer = timer;
        this.timeout = settings.handshakeTimeout;
        this.pool = new ThreadPoolExecutor(0, MAX, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "gencluster-erlang-handshake-" + settings.self);
            t.setDaemon(true);
            return t;
        });
    }

    /** From now on handshakes speak as {@code handshake}: its creation is known once the node listens. */
    void speakAs(Handshake handshake) {
        this.handshake = handshake;
    }

    /** Runs {@code task} on a handshake thread; false when {@link #MAX} handshakes are in progress already. */
    boolean run(Runnable task) {
        try {
            pool.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Closes {@code socket} after the handshake timeout unless cancelled first. */
    Deadline deadline(Socket socket) {
        return new Deadline(timer.schedule(() -> closeQuietly(socket), timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** As the dialling side, on a connected socket; {@code connected} as for {@link Handshake#initiate}. */
    Completed initiate(Socket socket, NodeName dialled, BooleanSupplier connected) throws IOException {
        DataInputStream in = prepare(socket);
        return new Completed(handshake.initiate(in, output(socket), dialled, connected), socket, in);
    }

    /** As the accepting side. */
    Completed accept(Socket socket, Handshake.Arbiter arbiter) throws IOException {
        DataInputStream in = prepare(socket);
        return new Completed(handshake.accept(in, output(socket), arbiter), socket, in);
    }

    private DataInputStream prepare(Socket socket) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        socket.setTcpNoDelay(true);
        return new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    }

    private static DataOutputStream output(Socket socket) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    /** Stops the handshakes in progress. */
    void close() {
        pool.shutdownNow();
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
