package io.gencluster.dist.tcp;

import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.ProtocolException;
import java.nio.ByteBuffer;

/**
 * The mailbox a connection's last DATA frame named. A stream of messages names the same few
 * mailboxes again and again, so the name a frame carries is compared with the last one, eight
 * bytes at a time, and decoded only when it differs. Selector thread only.
 */
final class KnownMailbox {

    private String name;
    private ByteBuffer bytes; // the name in UTF-8, for comparing word by word

    /** The mailbox field at the start of a DATA payload, which it consumes. */
    String read(ByteBuffer payload) throws ProtocolException {
        if (payload.remaining() < 2) {
            return FrameCodec.getString(payload); // the codec's error for a truncated field
        }
        int length = Short.toUnsignedInt(payload.getShort(payload.position()));
        int start = payload.position() + 2;
        ByteBuffer known = bytes;
        if (known != null && known.capacity() == length && payload.remaining() >= 2 + length && sameBytes(payload, start, known)) {
            payload.position(start + length);
            return name;
        }
        String decoded = FrameCodec.getString(payload);
        byte[] raw = new byte[length];
        payload.get(start, raw);
        bytes = ByteBuffer.wrap(raw);
        name = decoded;
        return decoded;
    }

    /**
     * Whether {@code b} (a view of the read buffer, direct or not) holds {@code known} at {@code
     * at}: in words of eight bytes, the last one overlapping the one before (of four for a name of
     * four to seven bytes), since a byte at a time costs a bounds check each.
     */
    static boolean sameBytes(ByteBuffer b, int at, ByteBuffer known) {
        int n = known.capacity();
        if (n >= Long.BYTES) {
            for (int i = 0; i < n - Long.BYTES; i += Long.BYTES) {
                if (b.getLong(at + i) != known.getLong(i)) {
                    return false;
                }
            }
            return b.getLong(at + n - Long.BYTES) == known.getLong(n - Long.BYTES);
        }
        if (n >= Integer.BYTES) {
            return b.getInt(at) == known.getInt(0) && b.getInt(at + n - Integer.BYTES) == known.getInt(n - Integer.BYTES);
        }
        for (int i = 0; i < n; i++) {
            if (b.get(at + i) != known.get(i)) {
                return false;
            }
        }
        return true;
    }
}
