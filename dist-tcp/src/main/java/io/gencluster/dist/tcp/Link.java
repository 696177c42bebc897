package io.gencluster.dist.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The byte pipe under one connection, non-blocking: the socket itself, or TLS over it
 * ({@link io.gencluster.dist.tcp.tls.TlsLink}). Used by the selector thread only.
 */
public interface Link {

    /** Advances the TLS handshake, if any; true once application bytes can flow. */
    boolean handshake() throws IOException;

    /** Moves received application bytes into {@code dst}; 0 when none are ready, -1 at the end of the stream. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes what the socket takes from {@code srcs[0..count)}; returns the application bytes consumed. */
    long write(ByteBuffer[] srcs, int count) throws IOException;

    /** Whether a sender's thread may write (under the connection's lock) while the selector thread reads. */
    default boolean writableFromAnyThread() {
        return false;
    }

    /**
     * Whether writing costs more than the system call: encryption. A sender then writes its own
     * frame (a request or a reply) but leaves a stream's full chunks to the selector thread, which
     * encrypts them on another core while the sender fills the next.
     */
    default boolean encrypts() {
        return false;
    }

    /**
     * Whether a read that left room in its buffer took everything there was, so that reading again
     * before the selector reports the socket readable would only find nothing. True for plain TCP;
     * not for TLS, which may hold bytes of its own that no readiness event will announce.
     */
    default boolean shortReadDrains() {
        return false;
    }

    /** Whether handshake work (TLS) runs on another thread: the socket waits until the link resumes. */
    default boolean busy() {
        return false;
    }

    /** Whether bytes this link produced itself (TLS records) still wait for the socket. */
    boolean pendingOutput();

    /** Plain TCP. */
    static Link plain(SocketChannel channel) {
        return new Link() {
            @Override
            public boolean handshake() {
                return true;
            }

            @Override
            public int read(ByteBuffer dst) throws IOException {
                return channel.read(dst);
            }

            @Override
            public long write(ByteBuffer[] srcs, int count) throws IOException {
                return channel.write(srcs, 0, count);
            }

            @Override
            public boolean pendingOutput() {
                return false;
            }

            @Override
            public boolean writableFromAnyThread() {
                return true;
            }

            @Override
            public boolean shortReadDrains() {
                return true;
            }
        };
    }
}
