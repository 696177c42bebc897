package io.gencluster.dist.tcp.wire;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.kit.LogText;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The dist-tcp wire format, in one place (dist-tcp/PROTOCOL.md summarises it for operators).
 *
 * <pre>
 * frame      = length:u32 type:u8 payload[length-1]        (big-endian; length counts type+payload,
 *                                                          1 .. 1024 during the handshake,
 *                                                          1 .. max.frame.bytes after it)
 *
 * HELLO     1  magic "GCTP" version:u8(=2) flags:u32(=0) listenPort:u16 nonceA[16] name:str dialled:str
 * CHALLENGE 2  nonceB[16] listenPort:u16 name:str
 * REPLY     3  proofA[32]
 * ACCEPT    4  proofB[32]
 * REFUSE    5  code:u8 reason:str [proofR[32]]         (reason at most 200 characters; proofR only with
 *                                                       codes 4 and 5, sent after a valid REPLY)
 * TICK      6  (empty)
 * DATA      7  mailbox:str payload[rest]               (after the handshake)
 * MEMBERS   8  count:u16 (name:str listenPort:u16)*count   (transitive mesh)
 *
 * str        = length:u16 UTF-8 bytes
 * proofA     = HMAC-SHA256(cookie, "initiator" | nonceA | nonceB | initiator | 0x00 | acceptor)
 * proofB     = HMAC-SHA256(cookie, "acceptor"  | nonceA | nonceB | initiator | 0x00 | acceptor)
 * proofR     = HMAC-SHA256(cookie, "refusal-" code (one ASCII digit) | nonceA | nonceB | initiator | 0x00 | acceptor)
 *              (initiator and acceptor: the node names as UTF-8 text)
 * REFUSE codes: 1 version, 2 not this node, 3 cookie mismatch, 4 already connected,
 *               5 simultaneous connect (the other connection is kept), 6 protocol error
 * </pre>
 *
 * The initiator opens the TCP connection and sends HELLO naming itself and the node it meant to
 * dial; the acceptor checks the version and that it is the node dialled (with TLS, that the
 * initiator's certificate names the node it claims), and answers CHALLENGE, its nonce and nothing
 * computed from the cookie (or REFUSE). The initiator checks that the challenge comes from the
 * node it dialled and proves itself first, in REPLY; the acceptor checks that proof, and only then
 * applies the one-connection and simultaneous-connect rules and proves itself in turn: ACCEPT, or a
 * REFUSE carrying proofR, which the initiator trusts only when it checks out. An attacker who
 * connects therefore never receives anything to guess the cookie against offline, and a
 * connection that proved nothing changes no state on either side. Both proofs show knowledge of
 * the cookie without sending it; the fresh nonces make every proof single-use. Each side tells its
 * listening port, so that members can be passed on. {@code flags} are capabilities for later
 * versions (none defined in version 2; a receiver ignores bits it does not know). Version 1, where
 * the acceptor proved itself first in CHALLENGE, is refused with code 1 both ways. With TLS on,
 * all of this runs inside the TLS session; the first byte on the wire is then a TLS record (0x16),
 * which a plaintext node recognises and names in its refusal.
 *
 * <p>After ACCEPT the connection carries DATA (a message to a mailbox), MEMBERS (the sender's
 * other members, sent once when a connection comes up, so the receiver can connect to those it
 * lacks) and TICKs (sent when nothing was written for {@code tick.ms}). Any frame counts as
 * liveness. Any other frame type, a frame longer than the limit (refused on its length field,
 * before a byte of it is stored), or a malformed field is a protocol error that closes the
 * connection.
 */
public final class FrameCodec {

    public static final byte HELLO = 1;
    public static final byte CHALLENGE = 2;
    public static final byte REPLY = 3;
    public static final byte ACCEPT = 4;
    public static final byte REFUSE = 5;
    public static final byte TICK = 6;
    public static final byte DATA = 7;
    public static final byte MEMBERS = 8;
    /** Bytes of a DATA frame before its mailbox name: length, type, the name's length. */
    public static final int DATA_HEAD = 4 + 1 + 2;

    static final byte[] MAGIC = {'G', 'C', 'T', 'P'};
    static final int VERSION = 2;
    static final int NONCE_BYTES = 16;
    static final int PROOF_BYTES = 32;
    /** Frames during the handshake are small; a peer sending more is not speaking this protocol. */
    public static final int MAX_HANDSHAKE_FRAME = 1024;
    /**
     * Upper bound of {@code max.frame.bytes}, 64 MiB: a frame is held whole in memory on both sides
     * (read buffer, send queue), so a larger message belongs in several; it also keeps every length
     * sum (length field + header) far from int overflow.
     */
    public static final int MAX_FRAME_LIMIT = 64 << 20;

    /** Refusal codes carried by REFUSE. */
    public static final int REFUSED_VERSION = 1;
    public static final int REFUSED_NOT_THIS_NODE = 2;
    public static final int REFUSED_COOKIE = 3;
    public static final int REFUSED_ALREADY_CONNECTED = 4;
    public static final int REFUSED_SIMULTANEOUS = 5;
    public static final int REFUSED_PROTOCOL = 6;

    private FrameCodec() {
    }

    /** A decoded frame. */
    public static final class Frame {
        byte type; // set again when a view is aimed at the next frame
        final ByteBuffer payload;

        Frame(byte type, ByteBuffer payload) {
            this.type = type;
            this.payload = payload;
        }

        public byte type() {
            return type;
        }

        /** The bytes after the type; reading a field consumes them. */
        public ByteBuffer payload() {
            return payload;
        }
    }

    /** A frame whose payload is a view of {@code buffer}, aimed by {@link #next} at each frame it finds there. */
    public static Frame viewOf(ByteBuffer buffer) {
        return new Frame((byte) 0, buffer.duplicate());
    }

    /** One whole frame: length, type, payload. */
    public static byte[] encode(byte type, byte[] payload) {
        if (payload.length >= MAX_FRAME_LIMIT) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds the frame limit " + MAX_FRAME_LIMIT);
        }
        byte[] frame = new byte[payload.length + 5];
        ByteBuffer.wrap(frame).putInt(payload.length + 1).put(type).put(payload);
        return frame;
    }

    /**
     * Takes the next whole frame out of {@code in} (a buffer in read mode), or returns null and
     * consumes nothing when the frame is not complete yet. {@link #needed} then says how many bytes
     * the buffer must hold for it. The frame returned is {@code view} (from {@link #viewOf} on
     * {@code in}), aimed at the frame: its payload is valid until {@code in} is written again or
     * the view is aimed at the next frame. No copy and no object per frame on the read path.
     */
    public static Frame next(ByteBuffer in, int maxLength, Frame view) throws ProtocolException {
        if (in.remaining() < 4) {
            return null;
        }
        int at = in.position();
        int length = in.getInt(at);
        checkLength(length, maxLength);
        if (in.remaining() - 4 < length) { // no sum that could overflow, whatever maxLength
            return null;
        }
        view.type = in.get(at + 4);
        view.payload.limit(at + 4 + length).position(at + 5);
        in.position(at + 4 + length);
        return view;
    }

    /**
     * Bytes a buffer must hold for the frame starting at its position (at least a length field).
     * Call it after {@link #next} returned null, which checked the length; a length it would refuse
     * gives at most {@code Integer.MAX_VALUE}, never a negative count.
     */
    public static int needed(ByteBuffer in) {
        if (in.remaining() < 4) {
            return 4;
        }
        long length = Integer.toUnsignedLong(in.getInt(in.position()));
        return (int) Math.min(Integer.MAX_VALUE, 4 + length);
    }

    static void checkLength(int length, int maxLength) throws ProtocolException {
        if (length < 1 || length > maxLength) {
            int first = length >>> 24;
            if (first == 0x16 || first == 0x15) {
                // a TLS record (handshake or alert) where a frame should be: the two nodes disagree on tls.enabled
                throw new ProtocolException("the peer speaks TLS and this node does not (tls.enabled differs between the nodes)",
                        "the peer speaks TLS and this node does not (tls.enabled differs between the nodes)");
            }
            throw new ProtocolException("frame length " + Integer.toUnsignedString(length) + " outside 1.." + maxLength
                    + " (claimed by the peer)", "frame length out of range");
        }
    }

    /** A MEMBERS frame naming {@code members}, each with its listening port (0 when unknown). */
    public static byte[] members(List<Peer> members) {
        int size = 2;
        for (Peer p : members) {
            size += size(p.node().toString()) + 2;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort((short) members.size());
        for (Peer p : members) {
            putString(b, p.node().toString());
            b.putShort((short) p.port().orElse(0));
        }
        return encode(MEMBERS, b.array());
    }

    /** The members a MEMBERS frame names; a malformed name is a protocol error. */
    public static List<Peer> members(Frame f) throws ProtocolException {
        int count = Short.toUnsignedInt(getShort(f.payload));
        List<Peer> out = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            String name = getString(f.payload);
            int port = Short.toUnsignedInt(getShort(f.payload));
            NodeName node;
            try {
                node = NodeName.parse(name);
            } catch (IllegalArgumentException e) {
                throw new ProtocolException("MEMBERS holds an invalid node name: " + LogText.escape(name), "invalid MEMBERS frame");
            }
            out.add(port == 0 ? Peer.of(node) : Peer.of(node, port));
        }
        return out;
    }

    static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) bytes.length);
        b.put(bytes);
    }

    public static String getString(ByteBuffer b) throws ProtocolException {
        int length = Short.toUnsignedInt(getShort(b));
        return new String(getBytes(b, length), StandardCharsets.UTF_8);
    }

    static short getShort(ByteBuffer b) throws ProtocolException {
        need(b, 2);
        return b.getShort();
    }

    static int getInt(ByteBuffer b) throws ProtocolException {
        need(b, 4);
        return b.getInt();
    }

    static byte getByte(ByteBuffer b) throws ProtocolException {
        need(b, 1);
        return b.get();
    }

    static byte[] getBytes(ByteBuffer b, int n) throws ProtocolException {
        need(b, n);
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static void need(ByteBuffer b, int n) throws ProtocolException {
        if (b.remaining() < n) {
            throw new ProtocolException("frame truncated: needed " + n + " more byte(s), had " + b.remaining(), "truncated frame");
        }
    }

    /** Bytes of a string field, for sizing buffers. */
    static int size(String s) {
        return 2 + s.getBytes(StandardCharsets.UTF_8).length;
    }
}
