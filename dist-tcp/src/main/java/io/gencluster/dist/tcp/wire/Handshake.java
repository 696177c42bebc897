package io.gencluster.dist.tcp.wire;

import static io.gencluster.dist.tcp.wire.FrameCodec.*;

import io.gencluster.api.NodeName;
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
 * Both roles of the dist-tcp handshake (the bytes are documented in {@link FrameCodec}) as state
 * machines fed one frame at a time, so that the selector thread drives them without blocking.
 * Every refusal made here carries the REFUSE frame to send.
 */
public final class Handshake {

    /** Decides whether an initiator that proved nothing yet may go on (duplicates, simultaneous connects). */
    public interface Admission {
        /** @throws RefusedException to refuse the initiator with that code and reason */
        void admit(NodeName initiator) throws RefusedException;
    }

    private final NodeName self;
    private final byte[] cookie;
    private final Random random;

    public Handshake(NodeName self, byte[] cookie, Random random) {
        this.self = self;
        this.cookie = cookie.clone();
        this.random = random;
    }

    /** The initiator that passed the handshake, and the port it listens on. */
    public record Accepted(NodeName initiator, int listenPort) {
    }

    /** The dialling side: HELLO out, CHALLENGE in, REPLY out, ACCEPT in. */
    public final class Initiator {
        private final String me = self.toString();
        private final String them;
        private final byte[] nonceA = nonce();
        private boolean challenged;
        private boolean done;
        private int acceptorPort;

        public Initiator(NodeName dialled) {
            this.them = dialled.toString();
        }

        /** Whether ACCEPT arrived: the handshake is over and the connection is up. */
        public boolean done() {
            return done;
        }

        /** The port the acceptor listens on, as its CHALLENGE said. */
        public int acceptorPort() {
            return acceptorPort;
        }

        public byte[] hello(int listenPort) {
            ByteBuffer hello = ByteBuffer.allocate(MAGIC.length + 1 + 4 + 2 + NONCE_BYTES + size(me) + size(them));
            hello.put(MAGIC).put((byte) VERSION).putInt(0).putShort((short) listenPort).put(nonceA);
            putString(hello, me);
            putString(hello, them);
            return encode(HELLO, hello.array());
        }

        /** @return the frame to send next, or null once ACCEPT arrived ({@link #done}) */
        public byte[] onFrame(Frame f) throws IOException {
            if (!challenged) {
                expect(f, CHALLENGE);
                byte[] nonceB = getBytes(f.payload, NONCE_BYTES);
                byte[] proofB = getBytes(f.payload, PROOF_BYTES);
                acceptorPort = Short.toUnsignedInt(getShort(f.payload));
                String acceptor = getString(f.payload);
                if (!acceptor.equals(them)) {
                    throw refusal(REFUSED_PROTOCOL, "dialled " + them + " but the challenge came from " + acceptor);
                }
                if (!MessageDigest.isEqual(proofB, proof("acceptor", nonceA, nonceB, me, them))) {
                    throw refusal(REFUSED_COOKIE, "cookie mismatch between " + me + " and " + them
                            + " (the peer does not share this node's cookie)");
                }
                challenged = true;
                return encode(REPLY, proof("initiator", nonceA, nonceB, me, them));
            }
            expect(f, ACCEPT);
            done = true;
            return null;
        }
    }

    /** The accepting side: HELLO in, CHALLENGE out, REPLY in; the caller then sends ACCEPT or a last REFUSE. */
    public final class Acceptor {
        private final Admission admission;
        private final int listenPort;
        private final String me = self.toString();
        private byte[] nonceA;
        private byte[] nonceB;
        private String initiatorText;
        private NodeName initiator;
        private int initiatorPort;
        private Accepted accepted;

        public Acceptor(Admission admission, int listenPort) {
            this.admission = admission;
            this.listenPort = listenPort;
        }

        /** The node the HELLO named, once it arrived (for log lines). */
        public NodeName initiator() {
            return initiator;
        }

        /** The initiator once it proved itself; null until then. */
        public Accepted accepted() {
            return accepted;
        }

        /** @return the frame to send next, or null once the initiator is authenticated ({@link #accepted}) */
        public byte[] onFrame(Frame f) throws IOException {
            if (initiator == null) {
                return hello(f);
            }
            try {
                expect(f, REPLY);
            } catch (RefusedException e) {
                throw new RefusedException(e.code(), initiator + " " + e.getMessage());
            }
            byte[] proofA = getBytes(f.payload, PROOF_BYTES);
            if (!MessageDigest.isEqual(proofA, proof("initiator", nonceA, nonceB, initiatorText, me))) {
                throw refusal(REFUSED_COOKIE, "cookie mismatch between " + initiator + " and " + me
                        + " (the peer does not share this node's cookie)");
            }
            accepted = new Accepted(initiator, initiatorPort);
            return null;
        }

        private byte[] hello(Frame f) throws IOException {
            expect(f, HELLO);
            ByteBuffer p = f.payload;
            byte[] magic = getBytes(p, MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw refusal(REFUSED_PROTOCOL, "not a gen-cluster peer: magic " + Arrays.toString(magic));
            }
            int version = Byte.toUnsignedInt(getByte(p));
            if (version != VERSION) {
                throw refusal(REFUSED_VERSION, "protocol version " + version + " not supported (this node speaks " + VERSION + ")");
            }
            getInt(p); // capability flags: none defined in version 1
            int port = Short.toUnsignedInt(getShort(p));
            byte[] a = getBytes(p, NONCE_BYTES);
            String text = getString(p);
            String dialled = getString(p);
            NodeName name;
            try {
                name = NodeName.parse(text);
            } catch (IllegalArgumentException e) {
                throw refusal(REFUSED_PROTOCOL, e.getMessage());
            }
            if (!dialled.equals(me)) {
                throw refusal(REFUSED_NOT_THIS_NODE, name + " dialled " + dialled + " but this node is " + me
                        + " (not-this-node: I am " + me + ")");
            }
            try {
                admission.admit(name);
            } catch (RefusedException e) {
                throw refusal(e.code(), e.getMessage());
            }
            initiator = name;
            initiatorText = text;
            initiatorPort = port;
            nonceA = a;
            nonceB = nonce();
            ByteBuffer challenge = ByteBuffer.allocate(NONCE_BYTES + PROOF_BYTES + 2 + size(me));
            challenge.put(nonceB).put(proof("acceptor", nonceA, nonceB, initiatorText, me)).putShort((short) listenPort);
            putString(challenge, me);
            return encode(CHALLENGE, challenge.array());
        }
    }

    /** Checks a handshake frame's type; a REFUSE from the peer becomes a {@link RefusedException}. */
    private static void expect(Frame f, byte type) throws IOException {
        if (f.type == REFUSE) {
            int code = Byte.toUnsignedInt(getByte(f.payload));
            throw new RefusedException(code, "refused: " + getString(f.payload));
        }
        if (f.type != type) {
            throw new ProtocolException("expected handshake frame " + type + ", got " + f.type);
        }
    }

    /** A refusal by this side, with the REFUSE frame (reason cut to 200 characters) that tells the peer. */
    public static RefusedException refusal(int code, String reason) {
        String text = reason.length() > 200 ? reason.substring(0, 200) : reason;
        ByteBuffer b = ByteBuffer.allocate(1 + size(text));
        b.put((byte) code);
        putString(b, text);
        return new RefusedException(code, reason, encode(REFUSE, b.array()));
    }

    private byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        synchronized (random) {
            random.nextBytes(n);
        }
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
