package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.LogText;
import io.gencluster.dist.erlang.HandshakeMessage.Incoming;
import io.gencluster.dist.erlang.HandshakeMessage.Outgoing;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Erlang's distribution handshake, version 6 (OTP 23+), in both roles; every byte follows
 * {@code erl_dist_protocol} as verified against OTP 25 (shared PROTOCOLS.md, section 2). Each
 * message has a 2-byte length prefix (at most {@value HandshakeMessage#MAX} bytes here):
 *
 * <pre>
 * A to B  send_name       'N' flags:u64 creation:u32 nlen:u16 name      (any bytes after name ignored)
 * B to A  status          's' ok | ok_simultaneous | nok | not_allowed | alive
 * A to B  (after alive)   's' true | false
 * B to A  challenge       'N' flags:u64 challenge:u32 creation:u32 nlen:u16 name
 * A to B  challenge_reply 'r' challenge:u32 digest:16
 * B to A  challenge_ack   'a' digest:16
 * </pre>
 *
 * The digest is MD5(cookie ++ the challenge as unsigned decimal text). The initiator checks that
 * the acceptor names itself exactly as dialled. Plain blocking code over streams (the caller
 * bounds it with a socket timeout and a deadline), so it runs the same against sockets and bytes.
 *
 * <p>Nothing the other side says before its digest is checked has an effect beyond this
 * handshake: the {@link Arbiter} only answers a status, and a {@link Result} exists only once
 * the peer proved the cookie. As the dialling side, a challenge this node issued as the accepting
 * side and still waits on ({@link OutstandingChallenges}) is refused, as OTP refuses it.
 * Peer-supplied text (names, statuses) reaches messages escaped ({@link LogText}).
 */
final class Handshake {

    /**
     * Decides what an acceptor answers a node that dials it (the transport knows its connections).
     * Asked before the initiator proved anything, so answering must change nothing.
     */
    interface Arbiter {
        /** {@code "ok"}, {@code "ok_simultaneous"}, {@code "nok"} or {@code "alive"}; no side effect. */
        String status(NodeName initiator);
    }

    /**
     * A completed handshake: the peer proved the cookie.
     *
     * @param claimsOldDead the peer was told {@code alive} and said its old connection is dead
     *     (a node that restarted): its connection may replace the live one
     */
    record Result(NodeName peer, long flags, long creation, boolean claimsOldDead) {
    }

    private final NodeName self;
    private final byte[] cookie;
    private final long flags;
    private final long creation;
    private final Random random;
    private final OutstandingChallenges challenges;

    Handshake(NodeName self, byte[] cookie, long flags, long creation, Random random, OutstandingChallenges challenges) {
        this.self = self;
        this.cookie = cookie.clone();
        this.flags = flags;
        this.creation = creation;
        this.random = random;
        this.challenges = challenges;
    }

    /** A handshake with challenges of its own (tests, and nodes that only dial). */
    Handshake(NodeName self, byte[] cookie, long flags, long creation, Random random) {
        this(self, cookie, flags, creation, random, new OutstandingChallenges());
    }

    /**
     * As the dialling side (A), to {@code dialled}.
     *
     * @param connected whether this node holds a live connection to {@code dialled}, or is accepting
     *     one from it, asked when the answer is needed (after {@code alive}): the other side's dial
     *     may have connected meanwhile
     */
    Result initiate(DataInputStream in, DataOutputStream out, NodeName dialled, BooleanSupplier connected) throws IOException {
        byte[] name = self.toString().getBytes(StandardCharsets.UTF_8);
        new Outgoing('N').u64(flags).u32(creation).u16(name.length).bytes(name).send(out);

        String status = status(HandshakeMessage.read(in, "status from " + dialled), dialled);
        switch (status) {
            case "ok", "ok_simultaneous" -> { }
            case "nok" -> throw new SimultaneousConnectException(dialled + " is connecting to this node itself");
            case "not_allowed" -> throw new RefusedException("not allowed by the peer", dialled + " refused this node (not_allowed): it requires"
                    + " flags this node lacks, or " + self + " uses " + NameMode.of(self).option() + " and " + dialled
                    + " does not; its log says which");
            case "alive" -> {
                // B holds a connection to our name: ours, unless we hold one or are accepting its dial, is dead
                boolean live = connected.getAsBoolean();
                new Outgoing('s').bytes((live ? "false" : "true").getBytes(StandardCharsets.US_ASCII)).send(out);
                if (live) {
                    throw new SimultaneousConnectException(dialled + " is already connected to this node");
                }
            }
            default -> throw new RefusedException("unknown handshake status",
                    dialled + " answered the handshake with unknown status '" + LogText.escape(status) + "'");
        }

        Incoming c = Incoming.read(in, "challenge from " + dialled);
        c.tag('N');
        long peerFlags = c.u64();
        long challenge = c.u32();
        long peerCreation = c.u32();
        String peerName = c.text(c.u16());
        if (!peerName.equals(dialled.toString())) {
            throw new RefusedException("peer answered under another name", "dialled " + dialled + " but the node there calls itself '"
                    + LogText.escape(peerName)
                    + "': a node's name must be spelled as it spells it (host part included)");
        }
        checkFlags(peerFlags, dialled);
        if (challenges.isOutstanding(challenge)) {
            throw new RefusedException("reflected challenge", dialled + " sent a challenge this node itself issued to a node"
                    + " dialling it and still waits on: a node without the cookie trying to pass as authenticated (reflection)");
        }

        long ours = Integer.toUnsignedLong(random.nextInt());
        new Outgoing('r').u32(ours).bytes(digest(challenge)).send(out);

        byte[] ack;
        try {
            ack = HandshakeMessage.read(in, "challenge ack from " + dialled);
        } catch (EOFException e) {
            throw new RefusedException("wrong cookie", dialled + " closed the connection on this node's challenge reply: the cookies"
                    + " differ (its log says 'Invalid challenge reply')");
        }
        Incoming a = new Incoming(ack, "challenge ack from " + dialled);
        a.tag('a');
        if (!MessageDigest.isEqual(a.bytes(16), digest(ours))) {
            throw new RefusedException("wrong cookie", "wrong cookie: " + dialled + " answered with a digest of another cookie");
        }
        return new Result(dialled, peerFlags, peerCreation, false);
    }

    /** As the accepting side (B). */
    Result accept(DataInputStream in, DataOutputStream out, Arbiter arbiter) throws IOException {
        Incoming n = Incoming.read(in, "name of a dialling node");
        int tag = n.u8();
        if (tag == 'n') {
            throw new RefusedException("old handshake version 5", "a node dialled with the old version 5 handshake ('n', before OTP 23): not supported");
        }
        n.expect(tag, 'N');
        long peerFlags = n.u64();
        long peerCreation = n.u32();
        String text = n.text(n.u16());
        NodeName peer;
        try {
            peer = NodeName.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RefusedException("invalid node name", "a node dialled with an invalid name '" + LogText.escape(text) + "'");
        }
        if ((peerFlags & DistFlags.NAME_ME) != 0) {
            sendStatus(out, "not_allowed");
            throw new RefusedException("dynamic node name", peer + " asked to be named by this node (dynamic node names): not supported");
        }
        if (NameMode.of(peer) != NameMode.of(self)) {
            sendStatus(out, "not_allowed");
            throw new RefusedException("other name mode", "connection attempt from " + peer + " refused: it uses " + NameMode.of(peer).option()
                    + ", this node " + self + " uses " + NameMode.of(self).option());
        }
        List<String> missing = DistFlags.missing(peerFlags);
        if (!missing.isEmpty()) {
            sendStatus(out, "not_allowed");
            throw new RefusedException("missing capability flags", "connection attempt from " + peer + " refused: it cannot handle " + missing);
        }
        String status = arbiter.status(peer);
        sendStatus(out, status);
        if (status.equals("nok")) {
            throw new SimultaneousConnectException(peer + " and this node dialled each other; this node's attempt wins");
        }
        boolean claimsOldDead = false;
        if (status.equals("alive")) {
            // up_pending: the live connection stays untouched; the newcomer proves the cookie first
            String answer = status(HandshakeMessage.read(in, "answer to 'alive' from " + peer), peer);
            if (!answer.equals("true")) {
                throw new SimultaneousConnectException(peer + " keeps its existing connection");
            }
            claimsOldDead = true;
        }

        long challenge = challenges.issue(random);
        try {
            byte[] name = self.toString().getBytes(StandardCharsets.UTF_8);
            new Outgoing('N').u64(flags).u32(challenge).u32(creation).u16(name.length).bytes(name).send(out);

            Incoming r = Incoming.read(in, "challenge reply from " + peer);
            r.tag('r');
            long theirs = r.u32();
            if (!MessageDigest.isEqual(r.bytes(16), digest(challenge))) {
                throw new RefusedException("wrong cookie", "wrong cookie: connection attempt from " + peer
                        + " refused, its challenge reply was made with another cookie");
            }
            new Outgoing('a').bytes(digest(theirs)).send(out);
        } finally {
            challenges.answered(challenge);
        }
        return new Result(peer, peerFlags, peerCreation, claimsOldDead);
    }

    private static void checkFlags(long peerFlags, NodeName peer) throws RefusedException {
        List<String> missing = DistFlags.missing(peerFlags);
        if (!missing.isEmpty()) {
            throw new RefusedException("missing capability flags", peer + " cannot handle " + missing);
        }
    }

    /** MD5(cookie ++ unsigned decimal challenge), as {@code dist_util:gen_digest}. */
    private byte[] digest(long challenge) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(cookie);
            md5.update(Long.toString(challenge).getBytes(StandardCharsets.US_ASCII));
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
    }

    private static String status(byte[] msg, NodeName peer) throws IOException {
        Incoming s = new Incoming(msg, "status from " + peer);
        s.tag('s');
        return s.text(s.remaining());
    }

    private static void sendStatus(DataOutputStream out, String status) throws IOException {
        new Outgoing('s').bytes(status.getBytes(StandardCharsets.US_ASCII)).send(out);
    }
}
