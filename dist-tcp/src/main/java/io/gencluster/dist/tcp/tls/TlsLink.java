package io.gencluster.dist.tcp.tls;

import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.Link;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.RefusedException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS over a non-blocking socket with an {@link SSLEngine}. Buffers are kept in write mode
 * (filling) between calls. Delegated tasks (certificate checks) run inline on the selector
 * thread: they are short, and only happen during the handshake.
 */
public final class TlsLink implements Link {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int RECORDS_PER_READ = 4;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer netOut;
    private ByteBuffer appIn;
    private boolean eof;

    private TlsLink(SocketChannel channel, SSLEngine engine) throws SSLException {
        this.channel = channel;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        // room for several records per read: a stream of small messages costs one read per few records, not per record
        this.netIn = ByteBuffer.allocate(RECORDS_PER_READ * packet);
        this.netOut = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(RECORDS_PER_READ * engine.getSession().getApplicationBufferSize());
        engine.beginHandshake();
    }

    /** The dialling side; {@code verifyHostname}: the certificate must name {@code host} too. */
    public static TlsLink client(SocketChannel channel, SSLContext context, String host, int port, boolean verifyHostname) throws SSLException {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        if (verifyHostname) {
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
        }
        return new TlsLink(channel, engine);
    }

    /** The accepting side, requiring the dialler's certificate (mutual authentication). */
    public static TlsLink server(SocketChannel channel, SSLContext context) throws SSLException {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(true);
        return new TlsLink(channel, engine);
    }

    /**
     * With {@code tls.verify.hostname}, on the accepting side once the dialler's HELLO named it:
     * the dialler's certificate (already trusted) must name the host part of that name, as a
     * dialled node's must. Without it, any node holding a certificate of the CA could claim any
     * name by dialling.
     */
    public void requireNames(NodeName initiator) throws RefusedException {
        CertificateNames.require(engine.getSession(), initiator);
    }

    /** What a dialler reports when the TLS handshake failed: the likely configuration difference. */
    public static IOException dialFailure(IOException e, String verifiedHost) {
        if (e instanceof SSLException) {
            return new IOException("TLS handshake failed: " + e.getMessage()
                    + " (do both nodes have tls.enabled=true, certificates from a CA the other trusts"
                    + (verifiedHost != null ? ", and one naming host " + verifiedHost : "") + "?)", e);
        }
        return new IOException("TLS handshake failed: " + (e.getMessage() == null ? e : e.getMessage())
                + " (does the peer have tls.enabled=true?)", e);
    }

    /** What an acceptor logs when a dialler's TLS handshake failed. */
    public static IOException refusal(IOException e) {
        if (!(e instanceof SSLException)) {
            return e;
        }
        String m = String.valueOf(e.getMessage());
        String hint = m.contains("plaintext") || m.contains("Unsupported or unrecognized")
                ? " (a plaintext peer: it has tls.enabled=false, this node true)" : " (certificate not trusted, or none?)";
        return new RefusedException(FrameCodec.REFUSED_PROTOCOL, "TLS handshake failed: " + e.getMessage() + hint);
    }

    @Override
    public boolean handshake() throws IOException {
        try {
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP:
                        SSLEngineResult r = engine.wrap(EMPTY, netOut);
                        if (!flush() && r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                            return false;
                        }
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            flush();
                            throw new EOFException("TLS closed during the handshake");
                        }
                        break;
                    case NEED_UNWRAP:
                    case NEED_UNWRAP_AGAIN:
                        if (!flush()) {
                            return false;
                        }
                        if (!unwrapSome()) {
                            return false;
                        }
                        break;
                    case NEED_TASK:
                        Runnable task;
                        while ((task = engine.getDelegatedTask()) != null) {
                            task.run();
                        }
                        break;
                    default:
                        return flush();
                }
            }
        } catch (SSLException e) {
            sendAlert();
            throw e;
        }
    }

    /** Unwraps what netIn holds, reading the socket when it holds too little; false when nothing could be done now. */
    private boolean unwrapSome() throws IOException {
        SSLEngineResult r = unwrap();
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW:
                int n = channel.read(netIn);
                if (n < 0) {
                    eof = true;
                    throw new EOFException("connection closed by the peer during the TLS handshake");
                }
                return n > 0;
            case BUFFER_OVERFLOW:
                ByteBuffer bigger = ByteBuffer.allocate(appIn.capacity() * 2);
                appIn.flip();
                bigger.put(appIn);
                appIn = bigger;
                return true;
            case CLOSED:
                throw new EOFException("TLS closed by the peer");
            default:
                return true;
        }
    }

    /** After a fatal error the engine holds an alert: send it, so the peer learns why (best effort). */
    private void sendAlert() {
        try {
            engine.closeOutbound();
            engine.wrap(EMPTY, netOut);
            flush();
        } catch (IOException | RuntimeException ignored) {
            // the connection is being closed for the error already reported
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (appIn.position() == 0 && !eof) {
            int n = channel.read(netIn);
            if (n < 0) {
                eof = true;
            }
            while (netIn.position() > 0) {
                SSLEngineResult r = unwrap();
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    eof = true;
                    break;
                }
                if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK
                        || r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    handshake(); // post-handshake messages (TLS 1.3 tickets, key updates)
                }
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    break; // underflow: wait for more bytes; overflow: drain appIn first
                }
            }
        }
        if (appIn.position() == 0) {
            return eof ? -1 : 0;
        }
        appIn.flip();
        int n = Math.min(appIn.remaining(), dst.remaining());
        ByteBuffer slice = appIn.slice();
        slice.limit(n);
        dst.put(slice);
        appIn.position(appIn.position() + n);
        appIn.compact();
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int count) throws IOException {
        long consumed = 0;
        while (flush()) {
            SSLEngineResult r = engine.wrap(srcs, 0, count, netOut);
            consumed += r.bytesConsumed();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new EOFException("TLS closed");
            }
            if (r.bytesConsumed() == 0 && r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                break; // nothing left to wrap
            }
        }
        return consumed;
    }

    /** Sends what netOut holds; true when it is empty. */
    private boolean flush() throws IOException {
        netOut.flip();
        try {
            channel.write(netOut);
            return !netOut.hasRemaining();
        } finally {
            netOut.compact();
        }
    }

    @Override
    public boolean pendingOutput() {
        return netOut.position() > 0;
    }

    /** One unwrap of what netIn holds into appIn; netIn is left ready for more bytes. */
    private SSLEngineResult unwrap() throws IOException {
        netIn.flip();
        try {
            return engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
    }
}
