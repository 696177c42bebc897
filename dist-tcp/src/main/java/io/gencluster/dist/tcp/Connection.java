package io.gencluster.dist.tcp;

import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * One established, authenticated connection to a peer node. Outgoing frames go through a queue
 * bounded in bytes to one writer thread, which batches them and flushes when the queue runs dry,
 * so a sender never waits on the network except for room in the queue (backpressure, bounded by
 * the caller's wait). The first reason given to {@link #close(DownReason, String)} wins, so a
 * heartbeat timeout that closes the socket is not reported again as a closed connection.
 */
final class Connection {

    private static final byte[] STOP = new byte[0];

    final NodeName peer;
    final int peerListenPort;
    final boolean initiated;
    private final Socket socket;
    final DataInputStream in;
    private final DataOutputStream out;
    private final AtomicReference<String> closedFor = new AtomicReference<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final LinkedBlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
    private final Semaphore credit;
    private final int queueBytes;
    volatile long lastRead = System.nanoTime();
    volatile long lastWrite = System.nanoTime();

    Connection(NodeName peer, int peerListenPort, boolean initiated, Socket socket, DataInputStream in, DataOutputStream out,
            int queueBytes) {
        this.peer = peer;
        this.peerListenPort = peerListenPort;
        this.initiated = initiated;
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.queueBytes = queueBytes;
        this.credit = new Semaphore(queueBytes);
    }

    /** Starts the writer thread; {@code failed} is told if writing breaks. */
    void startWriter(String threadName, BiConsumer<Connection, IOException> failed) {
        Thread t = new Thread(() -> writeLoop(failed), threadName);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Queues a frame, waiting up to {@code maxWait} for room.
     *
     * @return false when the queue stayed full
     * @throws IOException when the connection closed meanwhile
     */
    boolean enqueue(byte type, byte[] payload, Duration maxWait) throws InterruptedException, IOException {
        byte[] frame = new byte[payload.length + 5];
        java.nio.ByteBuffer.wrap(frame).putInt(payload.length + 1).put(type).put(payload);
        return enqueueFrame(frame, maxWait);
    }

    /** Queues a complete frame (length and type included), waiting up to {@code maxWait} for room. */
    boolean enqueueFrame(byte[] frame, Duration maxWait) throws InterruptedException, IOException {
        int size = frame.length;
        if (size > queueBytes) {
            return false;
        }
        if (!credit.tryAcquire(size, maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        if (isClosed()) {
            credit.release(size);
            throw new IOException("connection to " + peer + " closed (" + closedFor.get() + ")");
        }
        outbox.add(frame);
        return true;
    }

    private void writeLoop(BiConsumer<Connection, IOException> failed) {
        try {
            while (true) {
                byte[] frame = outbox.take();
                if (frame == STOP) {
                    return;
                }
                writeLock.lock();
                try {
                    do {
                        out.write(frame);
                        credit.release(frame.length);
                        frame = outbox.poll();
                    } while (frame != null && frame != STOP);
                    out.flush();
                } finally {
                    writeLock.unlock();
                }
                lastWrite = System.nanoTime();
                if (frame == STOP) {
                    return;
                }
            }
        } catch (IOException e) {
            failed.accept(this, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes a frame directly (handshake end, ticks); not for messages, which take the queue. */
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
     * Sends a tick unless a write is in progress: a write blocked on a peer that stopped reading
     * must not stall the timer thread, which also has to notice that peer's silence and close the
     * connection (which unblocks the writer).
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
        outbox.clear();
        outbox.add(STOP);
        credit.release(queueBytes); // wake senders waiting for room: they find the connection closed
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
