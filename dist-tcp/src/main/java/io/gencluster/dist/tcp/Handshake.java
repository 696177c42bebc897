package io.gencluster.dist.tcp;

import static io.gencluster.dist.tcp.FrameCodec.*;

import io.gencluster.api.NodeName;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Both roles of the dist-tcp handshake (the bytes are documented in {@link FrameCodec}). Runs on a
 * blocking socket whose read timeout bounds every step; the caller bounds the whole.
 */
final class Handshake {

    /** Decides whether an initiator that proved nothing yet may go on (duplicates, simultaneous connects). */
    interface Admission {
        /** @throws RefusedException to refuse the initiator with that code and reason */
        void admit(NodeName initiator) throws RefusedException;
    }

    private final NodeName self;
    private final byte[] cookie;
    private final Random random;

    Handshake(NodeName self, byte[] cookie, Random random) {
        this.self = self;
        this.cookie = cookie.clone();
        this.random = random;
    }

    /** The initiator that passed the handshake, and the port it listens on. */
    static final class Accepted {
        final NodeName initiator;
        final int listenPort;

        Accepted(NodeName initiator, int listenPort) {
            this.initiator = initiator;
            this.listenPort = listenPort;
        }
    }

    /**
     * Initiator: proves itself to {@code dialled} and checks that it really is that node.
     *
     * @return the port the acceptor listens on
     */
    int initiate(DataInputStream in, DataOutputStream out, NodeName dialled, int listenPort) throws IOException {
        byte[] nonceA = nonce();
        String me = self.toString();
        String them = dialled.toString();
        ByteBuffer hello = ByteBuffer.allocate(MAGIC.length + 1 + 4 + 2 + NONCE_BYTES + size(me) + size(them));
        hello.put(MAGIC).put((byte) VERSION).putInt(0).putShort((short) listenPort).put(nonceA);
        putString(hello, me);
        putString(hello, them);
        write(out, HELLO, hello.array());

        Frame challenge = expect(in, CHALLENGE);
        byte[] nonceB = getBytes(challenge.payload, NONCE_BYTES);
        byte[] proofB = getBytes(challenge.payload, PROOF_BYTES);
        int acceptorPort = Short.toUnsignedInt(getShort(challenge.payload));
        String acceptor = getString(challenge.payload);
        if (!acceptor.equals(them)) {
            throw refuse(out, REFUSED_PROTOCOL, "dialled " + them + " but the challenge came from " + acceptor);
        }
        if (!MessageDigest.isEqual(proofB, proof("acceptor", nonceA, nonceB, me, them))) {
            throw refuse(out, REFUSED_COOKIE, "cookie mismatch between " + me + " and " + them);
        }
        write(out, REPLY, proof("initiator", nonceA, nonceB, me, them));
        expect(in, ACCEPT);
        return acceptorPort;
    }

    /**
     * Acceptor: reads the initiator's HELLO, applies {@code admission}, and checks its proof.
     * The caller sends ACCEPT (or a last REFUSE) once it has registered the connection.
     *
     * @return the initiator, authenticated, with its listening port
     */
    Accepted accept(DataInputStream in, DataOutputStream out, Admission admission, int listenPort) throws IOException {
        Frame hello = expect(in, HELLO);
        ByteBuffer p = hello.payload;
        byte[] magic = getBytes(p, MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw refuse(out, REFUSED_PROTOCOL, "not a gen-cluster peer: magic " + Arrays.toString(magic));
        }
        int version = Byte.toUnsignedInt(getByte(p));
        if (version != VERSION) {
            throw refuse(out, REFUSED_VERSION, "protocol version " + version + " not supported (this node speaks " + VERSION + ")");
        }
        getInt(p); // capability flags: none defined in version 1
        int initiatorPort = Short.toUnsignedInt(getShort(p));
        byte[] nonceA = getBytes(p, NONCE_BYTES);
        String initiatorText = getString(p);
        String dialled = getString(p);
        NodeName initiator;
        try {
            initiator = NodeName.parse(initiatorText);
        } catch (IllegalArgumentException e) {
            throw refuse(out, REFUSED_PROTOCOL, e.getMessage());
        }
        String me = self.toString();
        if (!dialled.equals(me)) {
            throw refuse(out, REFUSED_NOT_THIS_NODE, initiator + " dialled " + dialled + " but this node is " + me);
        }
        try {
            admission.admit(initiator);
        } catch (RefusedException e) {
            throw refuse(out, e.code, e.getMessage());
        }
        byte[] nonceB = nonce();
        ByteBuffer challenge = ByteBuffer.allocate(NONCE_BYTES + PROOF_BYTES + 2 + size(me));
        challenge.put(nonceB).put(proof("acceptor", nonceA, nonceB, initiatorText, me)).putShort((short) listenPort);
        putString(challenge, me);
        write(out, CHALLENGE, challenge.array());

        Frame reply;
        try {
            reply = expect(in, REPLY);
        } catch (RefusedException e) {
            throw new RefusedException(e.code, initiator + " " + e.getMessage());
        }
        byte[] proofA = getBytes(reply.payload, PROOF_BYTES);
        if (!MessageDigest.isEqual(proofA, proof("initiator", nonceA, nonceB, initiatorText, me))) {
            throw refuse(out, REFUSED_COOKIE, "cookie mismatch between " + initiator + " and " + me);
        }
        return new Accepted(initiator, initiatorPort);
    }

    /** Reads the next handshake frame; a REFUSE from the peer becomes a {@link RefusedException}. */
    private static Frame expect(DataInputStream in, byte type) throws IOException {
        Frame f = read(in, MAX_HANDSHAKE_FRAME);
        if (f.type == REFUSE) {
            int code = Byte.toUnsignedInt(getByte(f.payload));
            throw new RefusedException(code, "refused: " + getString(f.payload));
        }
        if (f.type != type) {
            throw new ProtocolException("expected handshake frame " + type + ", got " + f.type);
        }
        return f;
    }

    /** Sends REFUSE (best effort) and returns the exception for the local side to throw. */
    static RefusedException refuse(DataOutputStream out, int code, String reason) {
        String text = reason.length() > 200 ? reason.substring(0, 200) : reason;
        ByteBuffer b = ByteBuffer.allocate(1 + size(text));
        b.put((byte) code);
        putString(b, text);
        try {
            write(out, REFUSE, b.array());
        } catch (IOException ignored) {
            // the peer may already be gone; the refusal is logged on this side regardless
        }
        return new RefusedException(code, reason);
    }

    private byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        random.nextBytes(n);
        return n;
    }

    private byte[] proof(String role, byte[] nonceA, byte[] nonceB, String initiator, String acceptor) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cookie, "HmacSHA256"));
            mac.update(role.getBytes(StandardCharsets.US_ASCII));
            mac.update(nonceA);
            mac.update(nonceB);
            mac.update(initiator.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(acceptor.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }
}
