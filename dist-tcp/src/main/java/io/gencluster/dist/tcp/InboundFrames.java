package io.gencluster.dist.tcp;

import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a connection receives, read and routed frame by frame on the selector thread: TLS records
 * until the TLS session is up, then handshake frames to the connection's side of the
 * {@link HandshakeFrames}, then DATA to the mailboxes (in batches), MEMBERS to the member exchange, and
 * TICKs, which only say the peer is alive.
 */
final class InboundFrames {

    /**
     * Payload bytes after which a read hands its batch over even before {@link Mailboxes#BATCH}
     * messages: what a connection parked on a full mailbox holds is thus less than this plus one
     * frame of {@code max.frame.bytes}, not a batch of the largest frames.
     */
    static final int HAND_OVER_BYTES = 256 * 1024;

    private final TcpDistSettings settings;
    private final HandshakeFrames handshakes;
    private final MailboxDelivery delivery;
    private final MemberExchange members;
    private final BusyPoll busyPoll;
    /** Connections whose turn ended with more to read (selector thread only). */
    private final List<Connection> yielded = new ArrayList<>();

    InboundFrames(TcpDistSettings settings, HandshakeFrames handshakes, MailboxDelivery delivery, MemberExchange members, BusyPoll busyPoll) {
        this.settings = settings;
        this.handshakes = handshakes;
        this.delivery = delivery;
        this.members = members;
        this.busyPoll = busyPoll;
    }

    /** Advances the TLS handshake; once it is done, the dist-tcp handshake begins. */
    void tls(Connection c) throws IOException {
        if (handshakes.tls(c)) {
            readFrames(c); // the peer's first frame may have come with its last TLS record
        }
    }

    /**
     * Reads and routes the frames {@code c} has. When it had any, its last-received time becomes the
     * time its last read returned ({@link Connection#readAt}; set once per turn, not per frame: a
     * turn may hold hundreds), so that a pause of this node during the turn (SIGSTOP, a long GC)
     * cannot date frames read after it to before it: silence is judged on that time
     * ({@link Liveness}).
     */
    void readFrames(Connection c) throws IOException {
        c.drained = false; // readable (or resumed): read at least once
        c.turnBytes = 0;
        c.yielded = false;
        boolean received = false;
        try {
            while (!c.isClosed() && !c.parked && !c.closingWhenFlushed()) {
                FrameCodec.Frame f = c.nextFrame(c.state == Connection.State.UP ? settings.maxFrameBytes : FrameCodec.MAX_HANDSHAKE_FRAME);
                if (f == null) {
                    if (c.eof) {
                        throw new EOFException("closed by peer");
                    }
                    if (c.yielded) {
                        yielded.add(c);
                    }
                    return;
                }
                received = true;
                if (c.state == Connection.State.UP) {
                    received(c, f);
                } else {
                    handshakes.onFrame(c, f);
                }
            }
        } finally {
            if (received) {
                c.lastRead = c.readAt; // a volatile write, once per turn
            }
            if (!c.parked) {
                delivery.handOver(c, true); // what this read brought, also when the stream then ended or failed
            }
        }
    }

    /** Whether a connection waits to read on: the selector must not block before it has. */
    boolean anyYielded() {
        return !yielded.isEmpty();
    }

    /** The connections whose last turn ended with more to read, taken for their next turn. */
    List<Connection> takeYielded() {
        List<Connection> taken = List.copyOf(yielded);
        yielded.clear();
        return taken;
    }

    /** A frame on an established connection. */
    private void received(Connection c, FrameCodec.Frame f) throws IOException {
        byte type = f.type();
        if (type == FrameCodec.DATA) {
            busyPoll.noteRead();
            ByteBuffer b = f.payload(); // a view of the connection's read buffer
            String mailbox = c.mailboxName(b);
            if (c.batchPayloads == null) {
                c.batchBoxes = new String[Mailboxes.BATCH];
                c.batchPayloads = new byte[Mailboxes.BATCH][];
            }
            byte[] payload = new byte[b.remaining()];
            b.get(payload);
            c.batchBoxes[c.batchEnd] = mailbox;
            c.batchPayloads[c.batchEnd++] = payload;
            c.batchBytes += payload.length;
            if (c.batchEnd == Mailboxes.BATCH || c.batchBytes >= HAND_OVER_BYTES) {
                delivery.handOver(c, false); // more to read: the mailbox's thread is woken at the end, or once enough waits
            }
        } else if (type == FrameCodec.MEMBERS) {
            members.membersOf(c, f);
        } else if (type != FrameCodec.TICK) {
            throw new ProtocolException("unexpected frame type " + Byte.toUnsignedInt(type), "unexpected frame type");
        }
    }
}
