package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.Handshake;
import io.gencluster.dist.tcp.wire.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One TCP connection, from the moment it is opened or accepted until it is closed: its socket and
 * {@link Link}, its bounded read buffer, its send queue bounded in bytes, and where it is in its
 * life. Everything but {@link #enqueue} and {@link #isClosed} is used by the selector thread only.
 *
 * <p>Senders on other threads append whole frames to the queue (waiting for room up to their own
 * bound: backpressure) and ask the selector thread to write; the selector thread writes as much as
 * the socket takes, gathering queued frames into one write, and wakes the waiting senders. Small
 * frames are copied into 64 KiB chunks as they are queued, so a stream of them goes out in few,
 * large writes. On a plaintext connection whose queue is empty and which has not written in the
 * last moment, the sender writes its frame itself (non-blocking, under this object's lock, which
 * every write holds): no hand-off for a request or a reply. The
 * queue's byte bound also holds the connection's own frames (ticks, MEMBERS, handshake frames);
 * one that does not fit closes the connection, since the peer has stopped reading.
 */
final class Connection {

    enum State { CONNECTING, TLS, HANDSHAKE, UP, CLOSED }

    private static final int INITIAL_READ_BUFFER = 4096;
    private static final int BATCHING_READ_BUFFER = 64 * 1024;
    private static final int KEPT_READ_BUFFER = 256 * 1024;
    private static final int MAX_GATHER = 64;
    /** Frames up to this size are copied into chunks when queued; larger ones are queued as they are. */
    private static final int MAX_COPIED_FRAME = 8 * 1024;
    private static final int CHUNK = 64 * 1024;
    private static final int SPARE_CHUNKS = 2;
    private static final long FLUSH_BUDGET = 1024 * 1024;
    private static final byte[] NOTHING = new byte[0];
    /**
     * A sender whose connection wrote less than this long ago is streaming: its frame is batched
     * rather than written at once. Shorter than a loopback round trip, so a request/reply exchange
     * still writes each frame at once.
     */
    private static final long STREAMING_NANOS = 5_000;

    final SocketChannel channel;
    private final java.time.Clock clock; // the transport's, for the time of a sender's own write
    final boolean initiated;
    final String remote;
    SelectionKey key;
    Link link;
    volatile State state;
    NodeName peer; // the dialled node, or the initiator once its HELLO arrived
    int peerListenPort;
    Handshake.Initiator initiator;
    Handshake.Acceptor acceptor;
    Dial dial;
    long deadline; // end of the connect and handshake, in clock millis
    volatile long lastRead;
    volatile long lastWrite;
    volatile String closedFor; // written under this object's lock
    boolean eof;
    /** The last read left room in the buffer: nothing more to read until the selector reports the socket readable again. */
    boolean drained;
    boolean countedHandshake; // an incoming handshake in progress, counted against max.handshakes

    // messages read and not yet handed to their mailboxes: batchBoxes[i] gets batchPayloads[i],
    // for batchStart <= i < batchEnd; while parked, the mailbox at batchStart is full and reading waits
    String[] batchBoxes;
    byte[][] batchPayloads;
    int batchStart;
    int batchEnd;
    boolean parked;
    long parkedSince;

    private byte[] lastMailboxBytes;
    private String lastMailbox;
    private ByteBuffer in = ByteBuffer.allocate(INITIAL_READ_BUFFER).flip(); // read mode: nothing unread
    private FrameCodec.Frame view; // what nextFrame returns: a view of the buffer `viewing`, aimed at each frame
    private ByteBuffer viewing;

    // guarded by this
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private final int queueLimit;
    private long queued;
    private boolean flushRequested;
    private ByteBuffer tail; // the chunk being filled with small frames (write mode), or null
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>(SPARE_CHUNKS); // written chunks, for reuse
    private long lastWriteNanos = Long.MIN_VALUE / 2;
    private volatile boolean closeWhenFlushed; // read per frame by the reader: no lock for it
    private final ByteBuffer[] gather = new ByteBuffer[2]; // a sender's own write (head, body), under the lock
    private final ByteBuffer[] flushing = new ByteBuffer[MAX_GATHER]; // the selector thread's, without it

    Connection(SocketChannel channel, boolean initiated, String remote, int queueLimit, java.time.Clock clock) {
        long now = clock.millis();
        this.clock = clock;
        this.channel = channel;
        this.initiated = initiated;
        this.remote = remote;
        this.queueLimit = queueLimit;
        this.lastRead = now;
        this.lastWrite = now;
        this.state = initiated ? State.CONNECTING : State.HANDSHAKE;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads what the socket has and returns the next whole frame, or null when none is complete
     * (then {@link #eof} says whether the stream ended). The frame's payload is a view of the read
     * buffer, valid until the next call. The buffer grows to the frame in hand, never beyond
     * {@code maxFrame}: the length is checked before a byte of payload is stored. Between calls the
     * buffer is in read mode and is compacted only when it must take more bytes, so a read full of
     * small frames costs one compaction, not one per frame.
     */
    FrameCodec.Frame nextFrame(int maxFrame) throws IOException {
        while (true) {
            if (view == null || viewing != in) {
                view = FrameCodec.viewOf(in);
                viewing = in;
            }
            FrameCodec.Frame f = FrameCodec.next(in, maxFrame, view);
            if (f != null) {
                return f;
            }
            if (drained) {
                return null; // the last read took what the socket had: the selector says when there is more
            }
            int needed = FrameCodec.needed(in);
            shrinkIfIdle();
            if (needed > in.capacity()) {
                // room for a few such frames at once, unless they are huge
                grow(Math.max(needed, Math.min(needed * 2, KEPT_READ_BUFFER)));
            }
            in.compact();
            int room = in.remaining();
            int n;
            try {
                n = link.read(in);
            } finally {
                in.flip();
            }
            if (n < 0) {
                eof = true;
                return null;
            }
            if (n == 0) {
                return null;
            }
            drained = n < room && link.shortReadDrains();
            if (n == room && in.capacity() < BATCHING_READ_BUFFER) {
                grow(in.capacity() * 2); // a batch of small frames filled it: read more at once
            }
        }
    }

    /** A bigger read buffer holding the same unread bytes (read mode in, read mode out). */
    private void grow(int capacity) {
        ByteBuffer bigger = ByteBuffer.allocate(capacity);
        bigger.put(in);
        in = bigger.flip();
    }

    /** A buffer grown for a huge frame goes back to a batching size once it is drained. */
    private void shrinkIfIdle() {
        if (in.capacity() > KEPT_READ_BUFFER && !in.hasRemaining()) {
            in = ByteBuffer.allocate(BATCHING_READ_BUFFER).flip();
        }
    }

    /**
     * The mailbox field at the start of a DATA payload, which it consumes. A stream of messages
     * names the same few mailboxes again and again, so the last name is kept and its bytes
     * compared, not decoded anew.
     */
    String mailboxName(ByteBuffer payload) throws ProtocolException {
        if (payload.remaining() < 2) {
            return FrameCodec.getString(payload); // the codec's error for a truncated field
        }
        int length = Short.toUnsignedInt(payload.getShort(payload.position()));
        byte[] last = lastMailboxBytes;
        int start = payload.position() + 2;
        if (last != null && last.length == length && payload.remaining() >= 2 + length && sameBytes(payload, start, last)) {
            payload.position(start + length);
            return lastMailbox;
        }
        String name = FrameCodec.getString(payload);
        byte[] bytes = new byte[length];
        payload.get(start, bytes);
        lastMailboxBytes = bytes;
        lastMailbox = name;
        return name;
    }

    /** Whether {@code b} (a view of the read buffer, a heap buffer) holds {@code bytes} at {@code at}. */
    private static boolean sameBytes(ByteBuffer b, int at, byte[] bytes) {
        byte[] array = b.array();
        int from = b.arrayOffset() + at;
        if (bytes.length > 16) {
            return java.util.Arrays.equals(array, from, from + bytes.length, bytes, 0, bytes.length);
        }
        for (int i = 0; i < bytes.length; i++) { // a short name: cheaper than the vectorised compare's set-up
            if (array[from + i] != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- writing

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
            throw new IOException("connection to " + peer + " closed (" + closedFor + ")");
        }
        long nanos;
        if (out.isEmpty() && tail == null && !flushRequested && state == State.UP && link.writableFromAnyThread()
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
            if (left == 0) {
                return 0;
            }
        } else {
            ByteBuffer into;
            if (size <= MAX_COPIED_FRAME) {
                if (tail == null || tail.remaining() < size) {
                    seal();
                    tail = spare.isEmpty() ? ByteBuffer.allocate(CHUNK) : spare.pop();
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
        }
        if (flushRequested) {
            return 0;
        }
        flushRequested = true;
        return 1;
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
     * itself only when nothing is queued, and what this call writes stays queued until written.)
     */
    boolean flush(long now) throws IOException {
        long budget = FLUSH_BUDGET;
        while (true) {
            int count = 0;
            long offered = 0;
            synchronized (this) {
                seal();
                for (ByteBuffer b : out) {
                    if (count == MAX_GATHER) {
                        break;
                    }
                    flushing[count++] = b;
                    offered += b.remaining();
                }
                if (count == 0 && !link.pendingOutput()) {
                    flushRequested = false;
                    return true;
                }
            }
            long written;
            try {
                written = link.write(flushing, count);
            } finally {
                java.util.Arrays.fill(flushing, 0, count, null);
            }
            synchronized (this) {
                if (written > 0) {
                    lastWrite = now;
                    lastWriteNanos = System.nanoTime();
                }
                while (!out.isEmpty() && !out.peek().hasRemaining()) {
                    ByteBuffer done = out.poll();
                    queued -= done.limit();
                    if (done.capacity() == CHUNK && spare.size() < SPARE_CHUNKS) {
                        spare.push(done.clear()); // no new 64 KiB to zero for the next chunk
                    }
                }
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

    synchronized boolean idleForWrites() {
        return out.isEmpty() && tail == null && !link.pendingOutput();
    }

    /** After a last frame (a REFUSE): close once it is out. */
    void closeWhenFlushed() {
        closeWhenFlushed = true;
    }

    boolean closingWhenFlushed() {
        return closeWhenFlushed;
    }

    /** Marks the connection closed and closes the socket; true only for the first call, whose reason counts. */
    boolean close(String reason) {
        synchronized (this) {
            if (closedFor != null) {
                return false;
            }
            closedFor = reason;
            state = State.CLOSED;
            out.clear();
            spare.clear();
            tail = null;
            queued = 0;
            notifyAll(); // senders waiting for room find the connection closed
        }
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do with this socket
        }
        return true;
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }
}
