package io.gencluster.dist.erlang;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One message of the distribution handshake on the wire: a 2-byte big-endian length (1 to
 * {@link #MAX} here), then a tag byte and the tag's fields, integers big-endian. {@link Outgoing}
 * builds one and sends it; {@link Incoming} reads one, bounded: running short is an IOException
 * naming the message ({@link RefusedException}, counted by a fixed cause). What each tag carries:
 * {@link Handshake}.
 */
final class HandshakeMessage {

    static final int MAX = 1024;

    private HandshakeMessage() {
    }

    /** The body of the next message; an empty or oversize one is an IOException naming {@code what}. */
    static byte[] read(DataInputStream in, String what) throws IOException {
        int len = in.readUnsignedShort();
        if (len == 0 || len > MAX) {
            throw new RefusedException("handshake message length out of range",
                    what + ": handshake message of " + len + " bytes (1-" + MAX + " expected)");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    /** A message being built, tag first. */
    static final class Outgoing {
        private final ByteArrayOutputStream m = new ByteArrayOutputStream();

        Outgoing(char tag) {
            m.write(tag);
        }

        Outgoing u16(int v) {
            m.write(v >>> 8);
            m.write(v);
            return this;
        }

        Outgoing u32(long v) {
            m.write((int) (v >>> 24));
            m.write((int) (v >>> 16));
            m.write((int) (v >>> 8));
            m.write((int) v);
            return this;
        }

        Outgoing u64(long v) {
            return u32(v >>> 32).u32(v);
        }

        Outgoing bytes(byte[] b) {
            m.writeBytes(b);
            return this;
        }

        /** Writes the length prefix and the message, and flushes. */
        void send(DataOutputStream out) throws IOException {
            out.writeShort(m.size());
            m.writeTo(out);
            out.flush();
        }
    }

    /** Bounded reads from one received message; {@code what} names it in errors. */
    static final class Incoming {
        private final byte[] b;
        private final String what;
        private int pos;

        Incoming(byte[] b, String what) {
            this.b = b;
            this.what = what;
        }

        /** The next message from {@code in}, named {@code what} in errors. */
        static Incoming read(DataInputStream in, String what) throws IOException {
            return new Incoming(HandshakeMessage.read(in, what), what);
        }

        int remaining() {
            return b.length - pos;
        }

        void tag(char expected) throws IOException {
            expect(u8(), expected);
        }

        void expect(int tag, char expected) throws IOException {
            if (tag != expected) {
                throw new RefusedException("unexpected handshake message",
                        what + ": message tagged " + tag + ", expected '" + expected + "' (" + (int) expected + ")");
            }
        }

        int u8() throws IOException {
            return bytes(1)[0] & 0xff;
        }

        int u16() throws IOException {
            byte[] x = bytes(2);
            return ((x[0] & 0xff) << 8) | (x[1] & 0xff);
        }

        long u32() throws IOException {
            byte[] x = bytes(4);
            return ((x[0] & 0xffL) << 24) | ((x[1] & 0xffL) << 16) | ((x[2] & 0xffL) << 8) | (x[3] & 0xffL);
        }

        long u64() throws IOException {
            return (u32() << 32) | u32();
        }

        String text(int len) throws IOException {
            return new String(bytes(len), StandardCharsets.UTF_8);
        }

        byte[] bytes(int n) throws IOException {
            if (n > remaining()) {
                throw new RefusedException("truncated handshake message",
                        what + " truncated: " + n + " more bytes needed, " + remaining() + " left");
            }
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }
    }
}
