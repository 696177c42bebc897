package io.gencluster.dist.tcp.tls;

import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.Link;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.RefusedException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * TLS over a non-blocking socket with an {@link SSLEngine}, TLS 1.3 only unless TLS 1.2 is allowed
 * ({@code tls.min.version}). Buffers are kept in write mode (filling) between calls. The
 * handshake's delegated tasks (the handshake messages' processing: certificate checks, key
 * exchange, signatures) run on a small pool, never on the selector thread, so that a flood of TLS
 * handshakes cannot delay heartbeats: while they run, the link is {@link #busy} and its socket
 * waits; when they are done, {@code resume} is called (on the pool thread) to go on.
 *
 * <p>Once the connection is up, a sender's thread may write (wrap and send) while the selector
 * thread reads: the engine lets a wrap and an unwrap run at once, and {@link #out} keeps every wrap
 * and the bytes waiting in {@link #netOut} to one thread at a time, the sender's or the selector
 * thread's (which wraps handshake messages, also after the handshake, and alerts).
 */
public final class TlsLink implements Link {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int RECORDS_PER_READ = 4;
    private static final int RECORDS_PER_WRITE = 4;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    /** Encrypted bytes not yet taken by the socket; guarded by {@link #out}, as every wrap is. */
    private final ByteBuffer netOut;
    private final Object out = new Object();
    /** The largest record the engine writes, with its header and tag. */
    private final int packet;
    private final Executor tasks;
    private final Runnable resume;
    private ByteBuffer appIn;
    private boolean eof;
    private volatile boolean busy; // delegated tasks running on the pool
    private volatile RuntimeException taskFailure;

    private TlsLink(SocketChannel channel, SSLEngine engine, List<String> protocols, Executor tasks, Runnable resume)
            throws SSLException {
        this.channel = channel;
        this.engine = engine;
        this.tasks = tasks;
        this.resume = resume;
        engine.setEnabledProtocols(protocols.toArray(new String[0]));
        this.packet = engine.getSession().getPacketBufferSize();
        // room for several records per read: a stream of small messages costs one read per few records, not per record
        this.netIn = ByteBuffer.allocate(RECORDS_PER_READ * packet);
        // room for several records per write too: a stream costs one write, and one segment through
        // the network stack, per few records
        this.netOut = ByteBuffer.allocate(RECORDS_PER_WRITE * packet);
        this.appIn = ByteBuffer.allocate(RECORDS_PER_READ * engine.getSession().getApplicationBufferSize());
        engine.beginHandshake();
    }

    /**
     * The dialling side. The certificate's names are checked against the node dialled by the
     * caller ({@link #requireNames}), not by the engine, so that both sides check alike.
     *
     * @param protocols the TLS versions allowed ({@link #protocols})
     * @param tasks where the handshake's delegated tasks run
     * @param resume called once they are done, to go on with the handshake
     */
    public static TlsLink client(SocketChannel channel, SSLContext context, String host, int port, List<String> protocols,
            Executor tasks, Runnable resume) throws SSLException {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        return new TlsLink(channel, engine, protocols, tasks, resume);
    }

    /** The accepting side, requiring the dialler's certificate (mutual authentication). */
    public static TlsLink server(SocketChannel channel, SSLContext context, List<String> protocols, Executor tasks, Runnable resume)
            throws SSLException {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(true);
        return new TlsLink(channel, engine, protocols, tasks, resume);
    }

    /** The TLS versions enabled: TLS 1.3, and TLS 1.2 too where {@code tls.min.version} allows it. */
    public static List<String> protocols(boolean allowTls12) {
        return allowTls12 ? List.of("TLSv1.3", "TLSv1.2") : List.of("TLSv1.3");
    }

    /**
     * Refuses {@code claimed} unless the peer's certificate (already trusted) names it as {@code
     * mode} asks: by the acceptor for the name the dialler's HELLO gives, by the dialler for the
     * node it dialled. Without it, any node holding a certificate of the CA could claim any name.
     */
    public void requireNames(NodeName claimed, PeerNames mode) throws RefusedException {
        CertificateNames.require(engine.getSession(), claimed, mode);
    }

    @Override
    public boolean busy() {
        return busy;
    }

    /** What a dialler reports when the TLS handshake failed: the likely configuration difference. */
    public static IOException dialFailure(IOException e) {
        if (e instanceof SSLException) {
            return new IOException("TLS handshake failed: " + e.getMessage()
                    + " (do both nodes have tls.enabled=true, certificates from a CA the other trusts,"
                    + " and a TLS version in common (tls.min.version)?)", e);
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
        return handshake(true);
    }

    /** {@code offload}: run delegated tasks on the pool (the handshake); false: inline (rare post-handshake messages). */
    private boolean handshake(boolean offload) throws IOException {
        if (busy) {
            return false;
        }
        RuntimeException failed = taskFailure;
        if (failed != null) {
            throw new SSLException("TLS handshake work failed: " + failed, failed);
        }
        try {
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP:
                        synchronized (out) {
                            SSLEngineResult r = engine.wrap(EMPTY, netOut);
                            if (!flush() && r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                                return false;
                            }
                            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                                flush();
                                throw new EOFException("TLS closed during the handshake");
                            }
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
                        if (offload && tasks != null) {
                            runOnPool();
                            return false;
                        }
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

    /** Hands the delegated tasks to the pool; the link is busy until they are done. */
    private void runOnPool() throws IOException {
        List<Runnable> work = new ArrayList<>();
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            work.add(task);
        }
        busy = true;
        try {
            tasks.execute(() -> {
                try {
                    for (Runnable t : work) {
                        t.run();
                    }
                } catch (RuntimeException e) {
                    taskFailure = e;
                } finally {
                    busy = false;
                    resume.run();
                }
            });
        } catch (RejectedExecutionException e) {
            busy = false;
            throw new IOException("too many TLS handshakes waiting for work; connection closed");
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
            synchronized (out) {
                engine.closeOutbound();
                engine.wrap(EMPTY, netOut);
                flush();
            }
        } catch (IOException | RuntimeException ignored) {
            // the connection is being closed for the error already reported
        }
    }

    /**
     * Decrypts what the socket has into {@code dst}: straight into it while it has room for a whole
     * record, which spares each message a copy, else through {@code appIn}, which holds what does
     * not fit until the next call.
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        if (appIn.position() == 0 && !eof) {
            int n = channel.read(netIn);
            if (n < 0) {
                eof = true;
            }
            unwrapAll(dst);
        }
        if (appIn.position() > 0) {
            appIn.flip();
            int n = Math.min(appIn.remaining(), dst.remaining());
            ByteBuffer slice = appIn.slice();
            slice.limit(n);
            dst.put(slice);
            appIn.position(appIn.position() + n);
            appIn.compact();
        }
        int n = dst.position() - start;
        return n == 0 && eof ? -1 : n;
    }

    /**
     * Unwraps the records netIn holds, each into {@code dst} while it has room for a whole record
     * (once one went to appIn, the rest follow it there). netIn is compacted once, at the end, not
     * after each record: a read brings several records, and moving the rest forward after each
     * copied about one and a half bytes for every byte received.
     */
    private void unwrapAll(ByteBuffer dst) throws IOException {
        int record = engine.getSession().getApplicationBufferSize();
        netIn.flip();
        try {
            while (netIn.hasRemaining()) {
                SSLEngineResult r = engine.unwrap(netIn, appIn.position() == 0 && dst.remaining() >= record ? dst : appIn);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    eof = true;
                    break;
                }
                if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK
                        || r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    netIn.compact(); // the handshake reads and unwraps with netIn ready for more bytes
                    try {
                        handshake(false); // post-handshake messages (TLS 1.3 tickets, key updates)
                    } finally {
                        netIn.flip();
                    }
                }
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    break; // underflow: wait for more bytes; overflow: drain appIn first
                }
            }
        } finally {
            netIn.compact();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int count) throws IOException {
        long consumed = 0;
        synchronized (out) {
            while (roomForRecord()) {
                SSLEngineResult r = engine.wrap(srcs, 0, count, netOut);
                consumed += r.bytesConsumed();
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new EOFException("TLS closed");
                }
                if (r.bytesConsumed() == 0) {
                    break; // nothing left to wrap
                }
            }
            flush();
        }
        return consumed;
    }

    /**
     * Whether netOut has room for a whole record, sending what it holds when it has not: records
     * collect in netOut until it is full or nothing is left to wrap, and then go out in one write.
     */
    private boolean roomForRecord() throws IOException {
        if (netOut.remaining() < packet) {
            flush();
        }
        return netOut.remaining() >= packet;
    }

    /** Sends what netOut holds; true when it is empty. */
    private boolean flush() throws IOException {
        synchronized (out) {
            netOut.flip();
            try {
                channel.write(netOut);
                return !netOut.hasRemaining();
            } finally {
                netOut.compact();
            }
        }
    }

    @Override
    public boolean pendingOutput() {
        synchronized (out) {
            return netOut.position() > 0;
        }
    }

    @Override
    public boolean writableFromAnyThread() {
        return true;
    }

    @Override
    public boolean encrypts() {
        return true;
    }

    /** One unwrap of what netIn holds into appIn (the handshake's); netIn is left ready for more bytes. */
    private SSLEngineResult unwrap() throws IOException {
        netIn.flip();
        try {
            return engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
    }
}
