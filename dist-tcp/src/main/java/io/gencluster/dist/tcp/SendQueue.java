package io.gencluster.dist.tcp;

import io.gencluster.dist.tcp.wire.FrameCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A connection's outgoing frames, bounded in bytes, and their writing.
 *
 * <p>Senders on other threads append whole frames (waiting for room up to their own bound:
 * backpressure) and ask the selector thread to write; the selector thread writes as much as the
 * socket takes, gathering queued frames into one write, and wakes the waiting senders. Small
 * frames are copied into 64 KiB chunks as they are queued, so a stream of them goes out in few,
 * large writes. A frame queued alone, with no chunk at hand, is copied into the connection's own
 * small buffer instead (sized to the largest such frame, at most {@link #MAX_COPIED_FRAME}), so
 * that a connection that sends one frame at a time (its handshake, ticks, requests and replies)
 * holds no chunk: 64 KiB each made a node of an idle 100-node mesh hold 6.6 MiB. The small
 * buffer and the chunks are direct buffers, which the socket takes without the copy into a
 * temporary direct buffer that a heap buffer costs on every write; written chunks are kept for
 * reuse while the connection streams (at most what the queue's bound holds) and given back, but
 * for {@link #SPARE_IDLE}, once its queue stayed short for {@link #SPARE_KEEP_MS} ({@link #trimIfIdle}).
 *
 * <p>Once the connection is up, a sender writes itself, non-blocking and under this object's lock,
 * in two cases: when the queue is empty and nothing was written a moment ago, its frame (no
 * hand-off for a request or a reply; over TLS the sender encrypts it too); and, on a plaintext
 * connection, when its frame fills a chunk while the selector thread is not writing, the full
 * chunks (a stream goes out from the sender's core, as through a buffered stream; over TLS the
 * selector thread encrypts them on another core meanwhile). What the socket does not take is left
 * to the selector thread. The byte bound also holds the connection's own frames (ticks, MEMBERS,
 * handshake frames); one that does not fit closes the connection, since the peer has stopped
 * reading.
 */
final class SendQueue {

    private static final int MAX_GATHER = 64;
    /**
     * Chunks a streaming sender writes itself at most, under the lock: 256 KiB, tens of
     * microseconds, so that neither other senders nor the selector thread wait on it for long.
     */
    private static final int MAX_SENDER_GATHER = 4;
    /** Frames up to this size are copied into chunks when queued; larger ones are queued as they are. */
    private static final int MAX_COPIED_FRAME = 8 * 1024;
    private static final int CHUNK = 64 * 1024;
    /** The least size of a connection's buffer for a frame queued alone: a tick, a handshake frame. */
    private static final int SINGLE_LEAST = 256;
    /** Written chunks kept for reuse once the queue is empty: a connection that streamed no more holds little. */
    private static final int SPARE_IDLE = 2;
    /** How long a connection's queue stays short before its spare chunks but {@link #SPARE_IDLE} go back. */
    static final long SPARE_KEEP_MS = 1000;
    private static final long FLUSH_BUDGET = 1024 * 1024;
    private static final byte[] NOTHING = new byte[0];
    /**
     * A sender whose connection wrote less than this long ago is streaming: its frame is batched
     * rather than written at once. Shorter than a loopback round trip, so a request/reply exchange
     * still writes each frame at once.
     */
    private static final long STREAMING_NANOS = 5_000;

    private final Connection connection;
    private final Clock clock; // the transport's, for the time of a sender's own write
    private final int queueLimit;
    private final int spareLimit; // chunks kept for reuse while streaming: as many as the queue holds
    volatile long lastWrite;

    // guarded by this
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private long queued;
    private boolean flushRequested;
    private ByteBuffer tail; // the chunk being filled with small frames (write mode), or null
    private ByteBuffer single; // for a frame queued alone; in the queue until written, or null
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>(); // written chunks, for reuse
    private long deepest; // most bytes queued since trimIfIdle looked last
    private long deepAt; // when trimIfIdle last saw more queued than the idle spares hold (clock millis)
    private long lastWriteNanos = Long.MIN_VALUE / 2;
    private volatile String closedFor; // written under this object's lock
    private final ByteBuffer[] gather = new ByteBuffer[2]; // a sender's own write (head, body), under the lock
    private final ByteBuffer[] flushing = new ByteBuffer[MAX_GATHER]; // the selector thread's, without it
    private final ByteBuffer[] full = new ByteBuffer[MAX_SENDER_GATHER]; // a streaming sender's own write, under the lock
    private boolean writing; // the selector thread writes, without the lock: no sender writes meanwhile

    SendQueue(Connection connection, int queueLimit, Clock clock, long now) {
        this.connection = connection;
        this.queueLimit = queueLimit;
        this.spareLimit = Math.max(SPARE_IDLE, queueLimit / CHUNK);
        this.clock = clock;
        this.lastWrite = now;
    }

    /** Queues a whole frame; see {@link #enqueue(byte[], byte[], byte[], long)}. */
    int enqueue(byte[] frame, long maxWaitNanos) throws IOException, InterruptedException {
        return enqueue(null, frame, NOTHING, maxWaitNanos);
    }

    /** Queues a DATA frame carrying {@code payload} to the mailbox named {@code box} (UTF-8); see {@link #enqueue(byte[], byte[], byte[], long)}. */
    int enqueueData(byte[] box, byte[] payload, long maxWaitNanos) throws IOException, InterruptedException {
        return enqueue(box, NOTHING, payload, maxWaitNanos);
    }

    /**
     * Queues a frame — a DATA frame's head for mailbox {@code box} when that is not null, else the
     * frame {@code head} — followed by {@code body} (so that a message's payload is copied once,
     * straight into the queue), waiting up to {@code maxWaitNanos} for room (0: no wait). No array
     * is kept: the caller may reuse them. When nothing is queued, nothing was written a moment ago
     * and the link allows it, the calling thread writes the frame itself: a request or a reply
     * costs the sender no hand-off to the selector thread. A sender that streams finds a write a
     * moment ago, so its frames are copied into a chunk and written many at a time by the selector
     * thread: one system call for a whole batch of small frames instead of one each.
     *
     * @return 1 when queued and the selector must be asked to write, 0 when queued or written, -1
     *     when the queue stayed full
     * @throws IOException when the connection is closed
     */
    private synchronized int enqueue(byte[] box, byte[] head, byte[] body, long maxWaitNanos) throws IOException, InterruptedException {
        int size = (box != null ? FrameCodec.DATA_HEAD + box.length : head.length) + body.length;
        if (size > queueLimit) {
            return -1;
        }
        if (closedFor == null && queued + size > queueLimit) {
            long end = System.nanoTime() + maxWaitNanos;
            while (closedFor == null && queued + size > queueLimit) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return -1;
                }
                wait(left / 1_000_000, (int) (left % 1_000_000));
            }
        }
        if (closedFor != null) {
            throw new IOException("connection to " + connection.peer + " closed (" + closedFor + ")");
        }
        Link link = connection.link;
        long nanos;
        if (out.isEmpty() && tail == null && !flushRequested && connection.state == Connection.State.UP && link.writableFromAnyThread()
                && (nanos = System.nanoTime()) - lastWriteNanos > STREAMING_NANOS) {
            gather[0] = box != null ? putHead(ByteBuffer.allocate(size - body.length), size, box).flip() : ByteBuffer.wrap(head);
            gather[1] = ByteBuffer.wrap(body);
            long millis = clock.millis(); // read before the write: a peer that has seen the bytes sees a later clock
            try {
                if (link.write(gather, 2) > 0) {
                    lastWrite = millis;
                    lastWriteNanos = nanos;
                }
            } catch (IOException e) {
                // left to the selector thread, whose write fails the same way and reports the connection lost
            }
            int left = gather[0].remaining() + gather[1].remaining();
            if (left > 0) {
                ByteBuffer rest = ByteBuffer.allocate(left).put(gather[0]).put(gather[1]).flip();
                out.add(rest);
                queued += left;
            }
            gather[0] = null;
            gather[1] = null;
            if (left == 0 && !link.pendingOutput()) {
                return 0; // all of it taken by the socket (over TLS: encrypted bytes too)
            }
        } else {
            ByteBuffer into;
            if (size <= MAX_COPIED_FRAME && tail == null && out.isEmpty() && spare.isEmpty()) {
                into = single(size); // alone in the queue, so the small buffer is free
            } else if (size <= MAX_COPIED_FRAME) {
                if (tail == null || tail.remaining() < size) {
                    boolean filled = tail != null;
                    seal();
                    if (filled && !writing && connection.state == Connection.State.UP && link.writableFromAnyThread()
                            && !link.encrypts()) {
                        writeFull(link);
                    }
                    tail = spare.isEmpty() ? ByteBuffer.allocateDirect(CHUNK) : spare.pop();
                }
                into = tail;
            } else {
                seal();
                into = ByteBuffer.allocate(size);
            }
            if (box != null) {
                putHead(into, size, box);
            } else {
                into.put(head);
            }
            into.put(body);
            if (into != tail) {
                out.add(into.flip());
            }
            queued += size;
            deepest = Math.max(deepest, queued);
        }
        if (flushRequested) {
            return 0;
        }
        flushRequested = true;
        return 1;
    }

    /**
     * A streaming sender that filled a chunk writes the full chunks itself (non-blocking, under the
     * lock), as a buffered stream does: the selector thread, which would write them otherwise, need
     * not be woken, and the bytes go out on the core that has them in its cache. What the socket does
     * not take stays queued for the selector thread.
     */
    private void writeFull(Link link) {
        int count = gather(full);
        long millis = clock.millis(); // read before the write, as for a sender's single frame
        try {
            if (link.write(full, count) > 0) {
                lastWrite = millis;
                lastWriteNanos = System.nanoTime();
                retireWritten();
                notifyAll(); // other senders waiting for room
            }
        } catch (IOException e) {
            // left to the selector thread, whose write fails the same way and reports the connection lost
        } finally {
            Arrays.fill(full, 0, count, null);
        }
    }

    /** Puts the first queued buffers into {@code into}, as many as it holds; returns how many. Under the lock. */
    private int gather(ByteBuffer[] into) {
        int count = 0;
        for (ByteBuffer b : out) {
            if (count == into.length) {
                break;
            }
            into[count++] = b;
        }
        return count;
    }

    /** The small buffer for a frame of {@code size} bytes queued alone, grown to the next power of two if needed. */
    private ByteBuffer single(int size) {
        if (single == null || single.capacity() < size) {
            single = ByteBuffer.allocateDirect(Math.max(SINGLE_LEAST, Integer.highestOneBit(size - 1) << 1));
        }
        return single.clear();
    }

    /** Takes what was written off the queue, keeping written chunks for reuse. */
    private void retireWritten() {
        while (!out.isEmpty() && !out.peek().hasRemaining()) {
            ByteBuffer done = out.poll();
            queued -= done.limit();
            if (done != single && done.isDirect() && spare.size() < spareLimit) {
                spare.push(done.clear()); // no new 64 KiB to allocate and zero for the next chunk
            }
        }
    }

    /**
     * Gives the spare chunks back, but for {@link #SPARE_IDLE}, once the queue has held no more
     * than those for {@link #SPARE_KEEP_MS} (ticks and single messages fit in them): a connection
     * that stopped streaming holds little, and one that streams does not allocate and zero its
     * chunks again each time its queue drains. Called periodically, by the selector thread.
     */
    synchronized void trimIfIdle(long now) {
        if (deepest > SPARE_IDLE * CHUNK) {
            deepAt = now;
        }
        deepest = queued;
        if (spare.size() > SPARE_IDLE && now - deepAt >= SPARE_KEEP_MS) {
            while (spare.size() > SPARE_IDLE) {
                spare.pop(); // to the collector, which frees them
            }
        }
    }

    private static ByteBuffer putHead(ByteBuffer b, int frameSize, byte[] box) {
        return b.putInt(frameSize - 4).put(FrameCodec.DATA).putShort((short) box.length).put(box);
    }

    /** The chunk being filled joins the queue, so that what follows it is written after it. */
    private void seal() {
        if (tail != null) {
            out.add(tail.flip());
            tail = null;
        }
    }

    /**
     * Writes as much as the socket takes, selector thread only. Returns true when everything went
     * out; otherwise the caller keeps OP_WRITE on. The write itself runs without this object's
     * lock, so senders go on queueing while it is under way, and what they queued meanwhile goes
     * out in the same call — up to {@link #FLUSH_BUDGET} bytes, so that one busy connection does
     * not keep the selector thread from the others. (No sender writes at the same time: one writes
     * itself only when nothing is queued or no write is under way, and what this call writes stays
     * queued until written.)
     */
    boolean flush(long now) throws IOException {
        Link link = connection.link;
        long budget = FLUSH_BUDGET;
        while (true) {
            int count;
            long offered = 0;
            synchronized (this) {
                seal();
                count = gather(flushing);
                for (int i = 0; i < count; i++) {
                    offered += flushing[i].remaining();
                }
                if (count == 0 && !link.pendingOutput()) {
                    flushRequested = false;
                    return true;
                }
                writing = true;
            }
            long written;
            try {
                written = link.write(flushing, count);
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    writing = false;
                }
                throw e;
            } finally {
                Arrays.fill(flushing, 0, count, null);
            }
            synchronized (this) {
                writing = false;
                if (written > 0) {
                    lastWrite = now;
                    lastWriteNanos = System.nanoTime();
                }
                retireWritten();
                if (written > 0) {
                    notifyAll();
                }
                budget -= written;
                if (out.isEmpty() && tail == null && !link.pendingOutput()) {
                    flushRequested = false;
                    return true;
                }
                if (written < offered || link.pendingOutput() || budget <= 0) {
                    // the socket is full (or this connection had its share): on when it is writable again
                    flushRequested = true;
                    return false;
                }
            }
        }
    }

    /** Bytes queued now. */
    synchronized long queuedBytes() {
        return queued;
    }

    /** Written chunks kept for reuse now. */
    synchronized int spareChunks() {
        return spare.size();
    }

    synchronized boolean idle() {
        return out.isEmpty() && tail == null && !connection.link.pendingOutput();
    }

    /**
     * Drops what is queued, wakes the senders waiting for room (they find the connection closed)
     * and marks the connection closed with it, under this lock, so that a sender finds both or
     * neither. True only for the first call, whose reason counts.
     */
    synchronized boolean close(String reason) {
        if (closedFor != null) {
            return false;
        }
        closedFor = reason;
        connection.state = Connection.State.CLOSED;
        out.clear();
        spare.clear();
        tail = null;
        queued = 0;
        notifyAll();
        return true;
    }
}
