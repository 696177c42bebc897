package io.gencluster.dist.tcp.wire;

import static io.gencluster.dist.tcp.wire.FrameCodec.*;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.LogText;
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
 *
 * <p>The initiator proves the cookie first, and the acceptor only once that proof checked out:
 * whoever merely connects gets a nonce and nothing computed from the cookie, so there is nothing
 * to guess the cookie against offline. What a peer proved is a {@link Proven}, which only this
 * class makes.
 */
public final class Handshake {

    /** Checks the name an initiator claims before anything goes back to it (with TLS: its certificate). */
    public interface ClaimCheck {
        /** @throws RefusedException to refuse the initiator with that code and reason */
        void check(NodeName claimed) throws RefusedException;
    }

    private final NodeName self;
    private final byte[] cookie;
    private final Random random;

    public Handshake(NodeName self, byte[] cookie, Random random) {
        this.self = self;
        this.cookie = cookie.clone();
        this.random = random;
    }

    /** A peer that proved knowledge of the cookie on one connection, and the port it listens on. */
    public static final class Proven {
        private final NodeName node;
        private final int listenPort;

        private Proven(NodeName node, int listenPort) {
            this.node = node;
            this.listenPort = listenPort;
        }

        public NodeName node() {
            return node;
        }

        public int listenPort() {
            return listenPort;
        }
    }

    /** The dialling side: HELLO out, CHALLENGE in, REPLY out (its proof), ACCEPT in (the acceptor's proof). */
    public final class Initiator {
        private final String me = self.toString();
        private final NodeName dialled;
        private final String them;
        private final byte[] nonceA = nonce();
        private byte[] nonceB;
        private int acceptorPort;
        private Proven proven;

        public Initiator(NodeName dialled) {
            this.dialled = dialled;
            this.them = dialled.toString();
        }

        /** Whether the acceptor proved itself in ACCEPT: the handshake is over and the connection is up. */
        public boolean done() {
            return proven != null;
        }

        /** The acceptor once it proved itself; null until then. */
        public Proven proven() {
            return proven;
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

        /** @return the frame to send next, or null once the acceptor proved itself ({@link #done}) */
        public byte[] onFrame(Frame f) throws IOException {
            if (nonceB == null) {
                expect(f, CHALLENGE, null);
                byte[] b = getBytes(f.payload, NONCE_BYTES);
                int port = Short.toUnsignedInt(getShort(f.payload));
                String acceptor = getString(f.payload);
                if (!acceptor.equals(them)) {
                    throw refusal(REFUSED_PROTOCOL, "dialled " + them + " but the challenge came from " + LogText.escape(acceptor));
                }
                nonceB = b;
                acceptorPort = port;
                return encode(REPLY, proof(INITIATOR_ROLE, nonceA, nonceB, me, them));
            }
            expect(f, ACCEPT, this);
            byte[] proofB = getBytes(f.payload, PROOF_BYTES);
            if (!MessageDigest.isEqual(proofB, proof(ACCEPTOR_ROLE, nonceA, nonceB, me, them))) {
                throw refusal(REFUSED_COOKIE, "cookie mismatch between " + me + " and " + them
                        + " (the peer does not share this node's cookie)");
            }
            proven = new Proven(dialled, acceptorPort);
            return null;
        }

        /** Whether {@code proof} is the acceptor's proof for refusing this handshake with {@code code}. */
        boolean refusalProven(int code, byte[] proof) {
            return nonceB != null && MessageDigest.isEqual(proof, proof(refusalRole(code), nonceA, nonceB, me, them));
        }
    }

    /**
     * The accepting side: HELLO in, CHALLENGE out (a nonce, no proof), REPLY in; once the initiator
     * proved itself, the caller sends {@link #accept()} (this side's proof) or a refusal
     * that proves this side too ({@link #provenRefusal}).
     */
    public final class Acceptor {
        private final ClaimCheck claims;
        private final int listenPort;
        private final String me = self.toString();
        private byte[] nonceA;
        private byte[] nonceB;
        private String initiatorText;
        private NodeName initiator;
        private int initiatorPort;
        private Proven proven;

        public Acceptor(ClaimCheck claims, int listenPort) {
            this.claims = claims;
            this.listenPort = listenPort;
        }

        /** The node the HELLO claims to be, once it arrived (for log lines); not proven. */
        public NodeName claimed() {
            return initiator;
        }

        /** The initiator once it proved itself; null until then. */
        public Proven proven() {
            return proven;
        }

        /** @return the frame to send next, or null once the initiator proved itself ({@link #proven}) */
        public byte[] onFrame(Frame f) throws IOException {
            if (initiator == null) {
                return hello(f);
            }
            if (proven != null) {
                throw new ProtocolException("unexpected frame " + f.type + " after the initiator's proof", "unexpected handshake frame");
            }
            try {
                expect(f, REPLY, null);
            } catch (RefusedException e) {
                throw new RefusedException(e.code(), initiator + " " + e.getMessage());
            }
            byte[] proofA = getBytes(f.payload, PROOF_BYTES);
            if (!MessageDigest.isEqual(proofA, proof(INITIATOR_ROLE, nonceA, nonceB, initiatorText, me))) {
                throw refusal(REFUSED_COOKIE, "cookie mismatch between " + initiator + " and " + me
                        + " (the peer does not share this node's cookie)");
            }
            proven = new Proven(initiator, initiatorPort);
            return null;
        }

        /** ACCEPT with this side's proof; only once the initiator proved itself. */
        public byte[] accept() {
            requireProven();
            return encode(ACCEPT, proof(ACCEPTOR_ROLE, nonceA, nonceB, initiatorText, me));
        }

        /**
         * A refusal of an initiator that proved itself (already connected, simultaneous connect),
         * proved by this side in turn, so that the initiator may act on it: wait for the other
         * connection rather than give up.
         */
        public RefusedException provenRefusal(int code, String reason) {
            requireProven();
            return Handshake.refusal(code, reason, proof(refusalRole(code), nonceA, nonceB, initiatorText, me));
        }

        private void requireProven() {
            if (proven == null) {
                throw new IllegalStateException("the initiator has not proved itself: this side reveals no proof");
            }
        }

        private byte[] hello(Frame f) throws IOException {
            expect(f, HELLO, null);
            ByteBuffer p = f.payload;
            byte[] magic = getBytes(p, MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw refusal(REFUSED_PROTOCOL, "not a gen-cluster peer: magic " + Arrays.toString(magic));
            }
            int version = Byte.toUnsignedInt(getByte(p));
            if (version != VERSION) {
                throw refusal(REFUSED_VERSION, "protocol version " + version + " not supported: this node speaks " + VERSION
                        + " (every node of a cluster must run a gen-cluster release with the same dist-tcp protocol)");
            }
            getInt(p); // capability flags: none defined in version 2
            int port = Short.toUnsignedInt(getShort(p));
            byte[] a = getBytes(p, NONCE_BYTES);
            String text = getString(p);
            String dialled = getString(p);
            NodeName name;
            try {
                name = NodeName.parse(text);
            } catch (IllegalArgumentException e) {
                throw refusal(REFUSED_PROTOCOL, "invalid node name in HELLO: " + LogText.escape(text));
            }
            if (!dialled.equals(me)) {
                throw refusal(REFUSED_NOT_THIS_NODE, name + " dialled " + LogText.escape(dialled) + " but this node is " + me
                        + " (not-this-node: I am " + me + ")");
            }
            claims.check(name);
            initiator = name;
            initiatorText = text;
            initiatorPort = port;
            nonceA = a;
            nonceB = nonce();
            ByteBuffer challenge = ByteBuffer.allocate(NONCE_BYTES + 2 + size(me));
            challenge.put(nonceB).putShort((short) listenPort);
            putString(challenge, me);
            return encode(CHALLENGE, challenge.array());
        }
    }

    private static final String MAC = "HmacSHA256";
    private static final String INITIATOR_ROLE = "initiator";
    private static final String ACCEPTOR_ROLE = "acceptor";

    private static String refusalRole(int code) {
        return "refusal-" + code;
    }

    /**
     * Checks a handshake frame's type; a REFUSE from the peer becomes a {@link RefusedException},
     * its reason escaped. For an initiator ({@code proving} not null) that sent its proof, a refusal
     * that asks it to wait for another connection (already connected, simultaneous connect) counts
     * only if the acceptor proved it: anyone else's is a protocol error.
     */
    private static void expect(Frame f, byte type, Initiator proving) throws IOException {
        if (f.type == REFUSE) {
            int code = Byte.toUnsignedInt(getByte(f.payload));
            String reason = LogText.escape(getString(f.payload));
            if (code == REFUSED_ALREADY_CONNECTED || code == REFUSED_SIMULTANEOUS) {
                byte[] proof = f.payload.remaining() >= PROOF_BYTES ? getBytes(f.payload, PROOF_BYTES) : null;
                if (proving == null || proof == null || !proving.refusalProven(code, proof)) {
                    throw new RefusedException(REFUSED_PROTOCOL, "refused without proving the cookie (not trusted): " + reason);
                }
            }
            throw new RefusedException(code, "refused: " + reason);
        }
        if (f.type != type) {
            throw new ProtocolException("expected handshake frame " + type + ", got " + f.type, "unexpected handshake frame");
        }
    }

    /**
     * Loads what the first proof needs: the platform's MAC providers, which the first
     * {@code Mac.getInstance} of a JVM loads (26–40 ms on this project's machine when idle, 80–90
     * while it is busy). The transport calls it as it starts, on its selector thread, while the
     * framework starts the rest, so that its first handshake does not wait for it. A failure is
     * left to the handshake to report.
     */
    public static void prepare() {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(new SecretKeySpec(new byte[32], MAC));
            mac.doFinal();
        } catch (GeneralSecurityException e) {
            // a platform without HmacSHA256: every proof fails the same way and says so
        }
    }

    /** A refusal by this side, with the REFUSE frame (reason cut to 200 characters) that tells the peer. */
    public static RefusedException refusal(int code, String reason) {
        return refusal(code, reason, null);
    }

    private static RefusedException refusal(int code, String reason, byte[] proof) {
        String text = reason.length() > 200 ? reason.substring(0, 200) : reason;
        ByteBuffer b = ByteBuffer.allocate(1 + size(text) + (proof == null ? 0 : proof.length));
        b.put((byte) code);
        putString(b, text);
        if (proof != null) {
            b.put(proof);
        }
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
            Mac mac = Mac.getInstance(MAC);
            mac.init(new SecretKeySpec(cookie, MAC));
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
