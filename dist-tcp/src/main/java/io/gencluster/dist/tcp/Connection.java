package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.Handshake;
import io.gencluster.dist.tcp.wire.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Clock;

/**
 * One TCP connection, from the moment it is opened or accepted until it is closed: its socket and
 * {@link Link}, its bounded read buffer, its {@link SendQueue}, and where it is in its life.
 * Everything but its queue and {@link #isClosed} is used by the selector thread only.
 */
final class Connection {

    enum State { CONNECTING, TLS, HANDSHAKE, UP, CLOSED }

    private static final int INITIAL_READ_BUFFER = 4096;
    /** What a read buffer that reads filled grows to: a stream is read a quarter MiB per system call. */
    private static final int BATCHING_READ_BUFFER = 256 * 1024;
    /** What a grown read buffer goes back to once no read filled it for a sweep ({@link #trimReadBufferIfIdle}). */
    static final int IDLE_READ_BUFFER = 64 * 1024;
    /**
     * Read buffers up to this size are direct: the socket reads into them without the copy out of a
     * temporary direct buffer that a heap buffer costs on every read. A larger one, grown for a
     * huge frame, is a heap buffer, so that such a frame's buffer goes with the next collection.
     */
    private static final int KEPT_READ_BUFFER = 256 * 1024;
    /**
     * Bytes one turn of the selector thread reads from one connection: then the others, the
     * heartbeats and the deadlines get their turn, however fast the peer sends.
     */
    static final int READ_TURN_BYTES = 1024 * 1024;

    final SocketChannel channel;
    private final Clock clock;
    final boolean initiated;
    final String remote;
    final SendQueue queue;
    SelectionKey key;
    Link link;
    volatile State state; // CLOSED is set by the queue, under its lock
    NodeName peer; // the dialled node, or the initiator once its HELLO arrived
    int peerListenPort;
    Handshake.Initiator initiator;
    Handshake.Acceptor acceptor;
    Dial dial;
    long deadline; // end of the connect and handshake, in clock millis
    volatile long lastRead;
    /**
     * When the last read that brought bytes returned, on the transport's clock: taken right after
     * the read, so that a pause of this node before it (SIGSTOP, a long GC) dates those bytes after
     * the pause, and frames handled later in the turn do not move it. Selector thread only.
     */
    long readAt;
    boolean eof;
    /** The last read left room in the buffer: nothing more to read until the selector reports the socket readable again. */
    boolean drained;
    /** A read filled the read buffer since the last {@link #trimReadBufferIfIdle}. */
    private boolean filled;
    /** Bytes read in this turn of the selector thread; past {@link #READ_TURN_BYTES}, the connection yields. */
    int turnBytes;
    /** This turn's reading stopped at {@link #READ_TURN_BYTES} with more to read: it goes on next turn. */
    boolean yielded;
    private volatile boolean closeWhenFlushed; // read per frame by the reader: no lock for it

    // messages read and not yet handed to their mailboxes: batchBoxes[i] gets batchPayloads[i],
    // for batchStart <= i < batchEnd; while parked, the mailbox at batchStart is full and reading waits
    String[] batchBoxes;
    byte[][] batchPayloads;
    int batchStart;
    int batchEnd;
    long batchBytes; // payload bytes of batchPayloads[0..batchEnd): bounds what a parked connection holds
    boolean parked;
    long parkedSince;

    private final KnownMailbox lastMailbox = new KnownMailbox();
    private ByteBuffer in = ByteBuffer.allocateDirect(INITIAL_READ_BUFFER).flip(); // read mode: nothing unread
    private volatile int inCapacity = INITIAL_READ_BUFFER; // for other threads: tests look at it
    private FrameCodec.Frame view; // what nextFrame returns: a view of the buffer `viewing`, aimed at each frame
    private ByteBuffer viewing;

    Connection(SocketChannel channel, boolean initiated, String remote, int queueLimit, Clock clock) {
        long now = clock.millis();
        this.channel = channel;
        this.initiated = initiated;
        this.remote = remote;
        this.queue = new SendQueue(this, queueLimit, clock, now);
        this.clock = clock;
        this.readAt = now;
        this.lastRead = now;
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
            if (turnBytes >= READ_TURN_BYTES) {
                yielded = true; // more may be waiting, in the socket or in the TLS link: read on next turn
                return null;
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
            turnBytes += n;
            readAt = clock.millis();
            drained = n < room && link.shortReadDrains();
            if (n == room) {
                filled = true;
                if (in.capacity() < BATCHING_READ_BUFFER) {
                    grow(in.capacity() * 2); // a batch of small frames filled it: read more at once
                }
            }
        }
    }

    /** A bigger read buffer holding the same unread bytes (read mode in, read mode out). */
    private void grow(int capacity) {
        ByteBuffer bigger = capacity <= KEPT_READ_BUFFER ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        bigger.put(in);
        in = bigger.flip();
        inCapacity = capacity;
    }

    /** A buffer grown for a huge frame goes back to a batching size once it is drained. */
    private void shrinkIfIdle() {
        if (in.capacity() > KEPT_READ_BUFFER && !in.hasRemaining()) {
            in = ByteBuffer.allocateDirect(BATCHING_READ_BUFFER).flip();
            inCapacity = BATCHING_READ_BUFFER;
        }
    }

    /**
     * A read buffer that a stream grew goes back to {@link #IDLE_READ_BUFFER} once no read has
     * filled it since the last call and it holds nothing unread: a connection that stopped streaming
     * holds little. Called periodically, by the selector thread.
     */
    void trimReadBufferIfIdle() {
        if (!filled && in.capacity() > IDLE_READ_BUFFER && !in.hasRemaining()) {
            in = ByteBuffer.allocateDirect(IDLE_READ_BUFFER).flip();
            inCapacity = IDLE_READ_BUFFER;
        }
        filled = false;
    }

    /** The read buffer's size now, from any thread. */
    int readBufferBytes() {
        return inCapacity;
    }

    /** The mailbox field at the start of a DATA payload, which it consumes; see {@link KnownMailbox}. */
    String mailboxName(ByteBuffer payload) throws ProtocolException {
        return lastMailbox.read(payload);
    }

    boolean idleForWrites() {
        return queue.idle();
    }

    /** Sets the selection interest to what the connection waits for now. */
    void interest() {
        SelectionKey k = key;
        if (k == null || !k.isValid() || isClosed()) {
            return;
        }
        int ops;
        if (state == State.CONNECTING) {
            ops = SelectionKey.OP_CONNECT;
        } else if (link != null && link.busy()) {
            ops = 0; // TLS handshake work runs on its pool, which resumes the connection when done
        } else {
            ops = !parked && !closingWhenFlushed() ? SelectionKey.OP_READ : 0;
            if (!idleForWrites()) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        if (k.interestOps() != ops) {
            k.interestOps(ops);
        }
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
        if (!queue.close(reason)) { // senders waiting for room find the connection closed
            return false;
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
