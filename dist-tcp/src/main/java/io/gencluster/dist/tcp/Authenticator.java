package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.tls.PeerNames;
import io.gencluster.dist.tcp.tls.TlsLink;
import io.gencluster.dist.tcp.wire.Handshake;
import io.gencluster.dist.tcp.wire.RefusedException;

/**
 * The one place that decides who a connection's peer is: it proved the cookie in the handshake
 * ({@link Handshake.Proven}) and, with TLS, holds a certificate that names the node it claims
 * ({@code tls.verify.name}). Its result, a {@link Peer}, is the only key to connection state:
 * admission, the connection table, dials and node events take nothing else, so a connection that
 * proved nothing cannot close, replace, delay or cancel a live connection or a dial. Selector
 * thread only.
 */
final class Authenticator {

    private final PeerNames names;

    Authenticator(TcpDistSettings settings) {
        this.names = settings.tlsVerifyName;
    }

    /** A node that proved itself on one connection. Only the {@link Authenticator} makes one. */
    static final class Peer {
        final NodeName node;
        final int listenPort;
        final Connection connection;

        private Peer(NodeName node, int listenPort, Connection connection) {
            this.node = node;
            this.listenPort = listenPort;
            this.connection = connection;
        }
    }

    /**
     * With TLS: refuses unless the peer's certificate names {@code claimed}. Called before this side
     * sends anything that depends on the claim: by the dialler before its HELLO (so that a wrong
     * node never gets its proof), by the acceptor on HELLO (before its CHALLENGE).
     */
    void checkCertificate(Connection c, NodeName claimed) throws RefusedException {
        if (c.link instanceof TlsLink tls) {
            tls.requireNames(claimed, names);
        }
    }

    /** The peer of {@code c}, once its handshake proved it; its certificate is checked (again) against the proven name. */
    Peer authenticated(Connection c) throws RefusedException {
        Handshake.Proven proven = c.initiated ? c.initiator.proven() : c.acceptor.proven();
        if (proven == null) {
            throw new IllegalStateException("the handshake of " + c.remote + " proved nothing yet");
        }
        checkCertificate(c, proven.node());
        return new Peer(proven.node(), proven.listenPort(), c);
    }
}
