package io.gencluster.dist.tcp.wire;

import static io.gencluster.dist.tcp.wire.FrameCodec.MAX_HANDSHAKE_FRAME;

import io.gencluster.api.NodeName;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The dist-tcp wire on blocking streams, for raw peers in tests and for fuzzing: frames read one
 * at a time, and either side of the {@link Handshake} run on the same state machines the selector
 * thread feeds.
 */
public final class BlockingWire {

    private BlockingWire() {
    }

    /**
     * Reads one frame of at most {@code maxLength} bytes (type included) from a blocking stream.
     *
     * @throws EOFException when the peer closed the connection
     * @throws ProtocolException when the frame is empty or longer than allowed
     */
    public static FrameCodec.Frame read(DataInputStream in, int maxLength) throws IOException {
        int length = in.readInt();
        FrameCodec.checkLength(length, maxLength);
        byte type = in.readByte();
        byte[] payload = new byte[length - 1];
        in.readFully(payload);
        return new FrameCodec.Frame(type, ByteBuffer.wrap(payload));
    }

    /**
     * Initiator on blocking streams: proves itself to {@code dialled} and checks that it really is that node.
     *
     * @return the port the acceptor listens on
     */
    public static int initiate(Handshake handshake, DataInputStream in, DataOutputStream out, NodeName dialled, int listenPort)
            throws IOException {
        Handshake.Initiator i = handshake.new Initiator(dialled);
        out.write(i.hello(listenPort));
        out.flush();
        while (!i.done()) {
            send(out, step(i::onFrame, read(in, MAX_HANDSHAKE_FRAME), out));
        }
        return i.acceptorPort();
    }

    /**
     * Acceptor on blocking streams: reads the initiator's HELLO, applies {@code claims}, and
     * checks its proof. The caller then sends {@link Handshake.Acceptor#accept()} (or a last REFUSE).
     */
    public static Handshake.Acceptor accept(Handshake handshake, DataInputStream in, DataOutputStream out,
            Handshake.ClaimCheck claims, int listenPort) throws IOException {
        Handshake.Acceptor a = handshake.new Acceptor(claims, listenPort);
        while (a.proven() == null) {
            send(out, step(a::onFrame, read(in, MAX_HANDSHAKE_FRAME), out));
        }
        return a;
    }

    /** A HELLO as a peer of protocol {@code version} writes it (no valid nonce: for refusals only). */
    public static byte[] hello(int version, String initiator, String dialled) {
        ByteBuffer hello = ByteBuffer.allocate(64 + 2 * initiator.length() + 2 * dialled.length());
        hello.put(FrameCodec.MAGIC).put((byte) version).putInt(0).putShort((short) 1).put(new byte[16]);
        FrameCodec.putString(hello, initiator);
        FrameCodec.putString(hello, dialled);
        return FrameCodec.encode(FrameCodec.HELLO, java.util.Arrays.copyOf(hello.array(), hello.position()));
    }

    /** A REFUSE frame's code, which it consumes. */
    public static int refusalCode(FrameCodec.Frame refuse) throws ProtocolException {
        return FrameCodec.getByte(refuse.payload());
    }

    private interface Step {
        byte[] onFrame(FrameCodec.Frame f) throws IOException;
    }

    private static byte[] step(Step step, FrameCodec.Frame f, DataOutputStream out) throws IOException {
        try {
            return step.onFrame(f);
        } catch (RefusedException e) {
            if (e.reply() != null) {
                try {
                    send(out, e.reply());
                } catch (IOException ignored) {
                    // the peer may already be gone; the refusal is logged on this side regardless
                }
            }
            throw e;
        }
    }

    private static void send(DataOutputStream out, byte[] frame) throws IOException {
        if (frame != null) {
            out.write(frame);
            out.flush();
        }
    }
}
