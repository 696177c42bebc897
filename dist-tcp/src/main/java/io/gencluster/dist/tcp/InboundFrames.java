package io.gencluster.dist.tcp;

import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.dist.tcp.tls.TlsLink;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.Handshake;
import io.gencluster.dist.tcp.wire.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Arrays;

/**
 * What a connection receives, read and routed frame by frame on the selector thread: TLS records
 * until the TLS session is up, then handshake frames to the connection's side of the
 * {@link Handshake}, then DATA to the mailboxes (in batches), MEMBERS to the member exchange, and
 * TICKs, which only say the peer is alive. The initiator's HELLO, the first frame once the
 * connection (and its TLS session) is up, starts here too.
 */
final class InboundFrames {

    private static final byte[] EMPTY = new byte[0];
    /**
     * Payload bytes after which a read hands its batch over even before {@link Mailboxes#BATCH}
     * messages: what a connection parked on a full mailbox holds is thus less than this plus one
     * frame of {@code max.frame.bytes}, not a batch of the largest frames.
     */
    static final int HAND_OVER_BYTES = 256 * 1024;

    private final TcpDistSettings settings;
    private final Clock clock;
    private final Handshake handshake;
    private final IncomingConnections incoming;
    private final OutboundFrames outbound;
    private final MailboxDelivery delivery;
    private final Admission admission;
    private final MemberExchange members;

    InboundFrames(TcpDistSettings settings, Handshake handshake, IncomingConnections incoming, OutboundFrames outbound,
            MailboxDelivery delivery, Admission admission, MemberExchange members) {
        this.settings = settings;
        this.clock = settings.clock;
        this.handshake = handshake;
        this.incoming = incoming;
        this.outbound = outbound;
        this.delivery = delivery;
        this.admission = admission;
        this.members = members;
    }

    /** The initiator's first frame: HELLO, naming this node, the node dialled and where this node listens. */
    void hello(Connection c) throws IOException {
        c.state = Connection.State.HANDSHAKE;
        c.initiator = handshake.new Initiator(c.peer);
        outbound.send(c, c.initiator.hello(incoming.port()));
    }

    /** Advances the TLS handshake; once it is done, the dist-tcp handshake begins. */
    void tls(Connection c) throws IOException {
        try {
            if (!c.link.handshake()) {
                return;
            }
        } catch (IOException e) {
            throw c.initiated ? TlsLink.dialFailure(e, settings.tlsVerifyHostname ? c.peer.host() : null) : TlsLink.refusal(e);
        }
        if (c.initiated) {
            hello(c);
        } else {
            c.state = Connection.State.HANDSHAKE;
        }
        readFrames(c); // the peer's first frame may have come with its last TLS record
    }

    void readFrames(Connection c) throws IOException {
        long now = clock.millis(); // once per read, not per frame: a read may hold hundreds
        c.drained = false; // readable (or resumed): read at least once
        boolean read = false;
        try {
            while (!c.isClosed() && !c.parked && !c.closingWhenFlushed()) {
                FrameCodec.Frame f = c.nextFrame(c.state == Connection.State.UP ? settings.maxFrameBytes : FrameCodec.MAX_HANDSHAKE_FRAME);
                if (f == null) {
                    if (c.eof) {
                        throw new EOFException("closed by peer");
                    }
                    return;
                }
                if (!read) {
                    read = true;
                    c.lastRead = now; // a volatile write: once per read, not once per frame
                }
                if (c.state == Connection.State.UP) {
                    received(c, f);
                } else if (c.initiated) {
                    byte[] next = c.initiator.onFrame(f);
                    if (next != null) {
                        outbound.send(c, next);
                    } else if (c.initiator.done()) {
                        c.peerListenPort = c.initiator.acceptorPort();
                        admission.up(c, null);
                    }
                } else {
                    byte[] next = c.acceptor.onFrame(f);
                    if (next != null) {
                        c.peer = c.acceptor.initiator();
                        outbound.send(c, next);
                    } else if (c.acceptor.accepted() != null) {
                        c.peer = c.acceptor.accepted().initiator();
                        c.peerListenPort = c.acceptor.accepted().listenPort();
                        admission.admit(c.peer); // the rules again: a connection may have come up, or a dial begun, since HELLO
                        // registered before ACCEPT goes out, so the initiator never sees the pair connected before this side does
                        admission.up(c, FrameCodec.encode(FrameCodec.ACCEPT, EMPTY));
                    }
                }
            }
        } finally {
            if (!c.parked) {
                delivery.handOver(c, true); // what this read brought, also when the stream then ended or failed
            }
        }
    }

    /** A frame on an established connection. */
    private void received(Connection c, FrameCodec.Frame f) throws IOException {
        byte type = f.type();
        if (type == FrameCodec.DATA) {
            ByteBuffer b = f.payload(); // a view of the connection's read buffer, always a heap buffer
            String mailbox = c.mailboxName(b);
            if (c.batchPayloads == null) {
                c.batchBoxes = new String[Mailboxes.BATCH];
                c.batchPayloads = new byte[Mailboxes.BATCH][];
            }
            int from = b.arrayOffset() + b.position();
            byte[] payload = Arrays.copyOfRange(b.array(), from, from + b.remaining()); // no zeroing first
            b.position(b.limit());
            c.batchBoxes[c.batchEnd] = mailbox;
            c.batchPayloads[c.batchEnd++] = payload;
            c.batchBytes += payload.length;
            if (c.batchEnd == Mailboxes.BATCH || c.batchBytes >= HAND_OVER_BYTES) {
                delivery.handOver(c, false); // more to read: the mailbox's thread is woken at the end, or once enough waits
            }
        } else if (type == FrameCodec.MEMBERS) {
            members.membersOf(c, f);
        } else if (type != FrameCodec.TICK) {
            throw new ProtocolException("unexpected frame type " + Byte.toUnsignedInt(type));
        }
    }
}
