package io.gencluster.dist.tcp;

import io.gencluster.dist.tcp.tls.TlsLink;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.Handshake;
import java.io.IOException;

/**
 * A connection's way from opened to up, on the selector thread: its TLS session, if any, then the
 * dist-tcp handshake frame by frame ({@link Handshake}). The {@link Authenticator} turns a
 * finished handshake into the peer that {@link Admission} alone may act on; a frame of a peer that
 * has not proved itself changes nothing outside its own connection.
 */
final class HandshakeFrames {

    private final Handshake handshake;
    private final IncomingConnections incoming;
    private final OutboundFrames outbound;
    private final Authenticator authenticator;
    private final Admission admission;

    HandshakeFrames(Handshake handshake, IncomingConnections incoming, OutboundFrames outbound, Authenticator authenticator,
            Admission admission) {
        this.handshake = handshake;
        this.incoming = incoming;
        this.outbound = outbound;
        this.authenticator = authenticator;
        this.admission = admission;
    }

    /**
     * The initiator's first frame: HELLO, naming this node, the node dialled and where this node
     * listens; with TLS, only once the dialled node's certificate names it.
     */
    void hello(Connection c) throws IOException {
        authenticator.checkCertificate(c, c.peer);
        c.state = Connection.State.HANDSHAKE;
        c.initiator = handshake.new Initiator(c.peer);
        outbound.send(c, c.initiator.hello(incoming.port()));
    }

    /** Advances the TLS handshake; true once it is done and the dist-tcp handshake began. */
    boolean tls(Connection c) throws IOException {
        try {
            if (!c.link.handshake()) {
                return false;
            }
        } catch (IOException e) {
            throw c.initiated ? TlsLink.dialFailure(e) : TlsLink.refusal(e);
        }
        if (c.initiated) {
            hello(c);
        } else {
            c.state = Connection.State.HANDSHAKE;
        }
        return true;
    }

    /** A handshake frame: the answer goes out, or the proven peer is admitted and comes up. */
    void onFrame(Connection c, FrameCodec.Frame f) throws IOException {
        if (c.initiated) {
            byte[] next = c.initiator.onFrame(f);
            if (next != null) {
                outbound.send(c, next);
            } else if (c.initiator.done()) {
                admission.up(authenticator.authenticated(c), null);
            }
            return;
        }
        byte[] next = c.acceptor.onFrame(f);
        if (next != null) {
            outbound.send(c, next);
        } else if (c.acceptor.proven() != null) {
            Authenticator.Peer initiator = authenticator.authenticated(c);
            admission.admit(initiator);
            // registered before ACCEPT goes out, so the initiator never sees the pair connected before this side does
            admission.up(initiator, c.acceptor.accept());
        }
    }
}
