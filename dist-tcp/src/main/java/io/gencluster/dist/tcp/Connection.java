package io.gencluster.dist.tcp;

import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One established, authenticated connection to a peer node. The first reason given to
 * {@link #close(DownReason, String)} wins, so a heartbeat timeout that closes the socket is not
 * reported again as a closed connection by the reader that wakes up.
 */
final class Connection {

    final NodeName peer;
    final boolean initiated;
    private final Socket socket;
    final DataInputStream in;
    private final DataOutputStream out;
    private final AtomicReference<String> closedFor = new AtomicReference<>();
    volatile long lastRead = System.nanoTime();
    volatile long lastWrite = System.nanoTime();

    Connection(NodeName peer, boolean initiated, Socket socket, DataInputStream in, DataOutputStream out) {
        this.peer = peer;
        this.initiated = initiated;
        this.socket = socket;
        this.in = in;
        this.out = out;
    }

    void send(byte type, byte[] payload) throws IOException {
        synchronized (out) {
            FrameCodec.write(out, type, payload);
        }
        lastWrite = System.nanoTime();
    }

    /** Closes the socket; returns true only for the first call, whose reason is the one reported. */
    boolean close(DownReason reason, String detail) {
        if (!closedFor.compareAndSet(null, reason + ": " + detail)) {
            return false;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing more to do with this socket
        }
        return true;
    }

    boolean isClosed() {
        return closedFor.get() != null;
    }

    String remote() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }
}
