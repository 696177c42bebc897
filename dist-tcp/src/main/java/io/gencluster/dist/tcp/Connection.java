package io.gencluster.dist.tcp;

import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

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
    private final ReentrantLock writeLock = new ReentrantLock();
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
        writeLock.lock();
        try {
            FrameCodec.write(out, type, payload);
        } finally {
            writeLock.unlock();
        }
        lastWrite = System.nanoTime();
    }

    /**
     * Sends a tick unless another write is in progress: a write blocked on a peer that stopped
     * reading must not stall the timer thread, which also has to notice that peer's silence and
     * close the connection (which unblocks the writer).
     */
    void tickIfIdle() throws IOException {
        if (!writeLock.tryLock()) {
            return;
        }
        try {
            FrameCodec.write(out, FrameCodec.TICK, new byte[0]);
        } finally {
            writeLock.unlock();
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
