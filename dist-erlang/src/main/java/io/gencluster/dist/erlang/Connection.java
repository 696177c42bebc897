package io.gencluster.dist.erlang;

import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One established connection to an Erlang node, after the handshake: frames with a 4-byte length
 * prefix (an empty one is a tick). A reader thread reads frames and hands them over; a writer
 * thread drains a send queue bounded in bytes, so a sender never writes to the socket itself and
 * waits (bounded) when the peer reads slowly. Closed exactly once, with a reason.
 */
final class Connection {

    /** What the transport does with a connection's frames and its end. */
    interface Events {
        /** A non-empty frame; throwing a ProtocolException closes the connection with its message. */
        void frame(Connection c, byte[] frame) throws ProtocolException;

        /** The connection ended; called once, from whichever thread noticed. */
        void closed(Connection c, DownReason reason, String detail);
    }

    private static final byte[] TICK = new byte[4];

    final NodeName peer;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int maxFrame;
    private final long queueBytes;
    private final Events events;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queued;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long lastRead = System.nanoTime();
    private volatile long lastWrite = System.nanoTime();

    Connection(NodeName peer, Socket socket, DataInputStream in, int maxFrame, long queueBytes, Events events) throws IOException {
        this.peer = peer;
        this.socket = socket;
        this.in = in;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.maxFrame = maxFrame;
        this.queueBytes = queueBytes;
        this.events = events;
    }

    void start(String threadTag) throws IOException {
        socket.setSoTimeout(0); // silence is the tick timer's to judge, not the socket's
        thread(this::readLoop, "gencluster-erlang-read-" + threadTag).start();
        thread(this::writeLoop, "gencluster-erlang-write-" + threadTag).start();
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Queues a whole frame (length prefix included), waiting up to {@code timeoutNanos} for room.
     *
     * @return false when the queue stayed full or the connection is closed
     */
    boolean send(byte[] frame, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long wait = timeoutNanos;
            while (!closed.get() && queued > 0 && queued + frame.length > queueBytes) {
                if (wait <= 0) {
                    return false;
                }
                wait = changed.awaitNanos(wait);
            }
            if (closed.get()) {
                return false;
            }
            queue.add(frame);
            queued += frame.length;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a tick regardless of the bound: four bytes keep the peer from declaring us dead. */
    void tick() {
        lock.lock();
        try {
            if (queue.isEmpty()) {
                queue.add(TICK);
                queued += TICK.length;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void readLoop() {
        try {
            while (!closed.get()) {
                long len = Integer.toUnsignedLong(in.readInt());
                lastRead = System.nanoTime();
                if (len == 0) {
                    tick(); // answered, as JInterface does: a peer with a shorter tick time still hears from us
                    continue;
                }
                if (len > maxFrame) {
                    close(DownReason.PROTOCOL_ERROR, "frame of " + len + " bytes exceeds max.frame.bytes " + maxFrame);
                    return;
                }
                byte[] frame = new byte[(int) len];
                in.readFully(frame);
                lastRead = System.nanoTime();
                events.frame(this, frame);
            }
        } catch (ProtocolException e) {
            close(DownReason.PROTOCOL_ERROR, e.getMessage());
        } catch (EOFException e) {
            close(DownReason.CONNECTION_CLOSED, "closed by " + peer);
        } catch (IOException e) {
            close(DownReason.CONNECTION_CLOSED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] frame;
                boolean last;
                lock.lock();
                try {
                    while (queue.isEmpty() && !closed.get()) {
                        changed.await();
                    }
                    if (closed.get()) {
                        return;
                    }
                    frame = queue.poll();
                    queued -= frame.length;
                    last = queue.isEmpty();
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                out.write(frame);
                if (last) {
                    out.flush();
                }
                lastWrite = System.nanoTime();
            }
        } catch (IOException e) {
            close(DownReason.CONNECTION_CLOSED, "write failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Closes the socket and reports the end, once; later calls do nothing. */
    void close(DownReason reason, String detail) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lock.lock();
        try {
            queue.clear();
            queued = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        events.closed(this, reason, detail);
    }

    /** How long ago, in ms, the last byte arrived. */
    long silentMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRead);
    }

    /** How long ago, in ms, the last frame went out. */
    long idleMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastWrite);
    }
}
