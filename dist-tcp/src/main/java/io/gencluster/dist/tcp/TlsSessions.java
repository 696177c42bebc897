package io.gencluster.dist.tcp;

import io.gencluster.dist.tcp.tls.TlsLink;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The TLS sessions of connections, with TLS on: each made with the TLS versions allowed, and its
 * handshake's CPU work done on a small pool ({@code gencluster-tcp-tls-}) rather than on the
 * selector thread, which sends the heartbeats: a flood of TLS handshakes then delays other TLS
 * handshakes, never a tick. Once a session's work is done, the connection goes on on the selector
 * thread.
 */
final class TlsSessions {

    /** Threads doing TLS handshake work: two cores' worth is plenty for handshakes that are rare by design. */
    private static final int THREADS = 2;

    private final TcpDistSettings settings;
    private final IoThread io;
    private final ConnectionFailures failures;
    private final List<String> protocols;
    private InboundFrames frames; // set once, before start
    private ThreadPoolExecutor pool;

    TlsSessions(TcpDistSettings settings, IoThread io, ConnectionFailures failures) {
        this.settings = settings;
        this.io = io;
        this.failures = failures;
        this.protocols = TlsLink.protocols(settings.tlsAllow12);
    }

    void resumeThrough(InboundFrames frames) {
        this.frames = frames;
    }

    void start(PoolThreads threads) {
        if (settings.tls != null) {
            // each handshake in progress has at most one batch of work waiting
            pool = threads.pool("tls", THREADS, settings.maxHandshakes + settings.maxOutgoingHandshakes);
        }
    }

    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    void awaitStopped(long millis) throws InterruptedException {
        if (pool != null) {
            pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
        }
    }

    /** The dialling side of a dial's connection. */
    TlsLink client(Connection c) throws SSLException {
        return TlsLink.client(c.channel, settings.tls, c.peer.host(), c.channel.socket().getPort(), protocols, pool, () -> resume(c));
    }

    /** The accepting side of an incoming connection. */
    TlsLink server(Connection c) throws SSLException {
        return TlsLink.server(c.channel, settings.tls, protocols, pool, () -> resume(c));
    }

    /** On the pool: the session's work is done; the selector thread goes on with it. */
    private void resume(Connection c) {
        io.post(() -> {
            if (c.isClosed()) {
                return;
            }
            try {
                frames.tls(c);
                c.interest();
            } catch (IOException | RuntimeException e) {
                failures.failed(c, e);
            }
        });
    }
}
