package io.gencluster.dist.tcp;

import java.io.IOException;
import java.time.Clock;

/**
 * What connections send, written on the selector thread: the transport's own frames (handshake,
 * ticks, MEMBERS) queued and written, a connection's {@link SendQueue} flushed when a sender asks
 * or the socket is writable again, and a last frame (a REFUSE) before closing.
 */
final class OutboundFrames {

    /** How long a refused connection waits for its REFUSE to go out before it is closed anyway. */
    private static final long REFUSE_LINGER_MS = 1_000;

    private final TcpDistSettings settings;
    private final Clock clock;
    private final OpenConnections open;
    private ConnectionFailures failures; // set once, before start: a failed write fails its connection

    OutboundFrames(TcpDistSettings settings, OpenConnections open) {
        this.settings = settings;
        this.clock = settings.clock;
        this.open = open;
    }

    void reportTo(ConnectionFailures failures) {
        this.failures = failures;
    }

    /** Queues an internal frame; one that does not fit closes the connection (the peer stopped reading). */
    void send(Connection c, byte[] frame) throws IOException {
        int queued;
        try {
            queued = c.queue.enqueue(frame, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (queued < 0) {
            throw new IOException("send queue full (" + settings.sendQueueBytes + " bytes): the peer does not read");
        }
        writeOut(c);
    }

    /** Writes what the queue holds, as far as the socket takes it. */
    void writeOut(Connection c) {
        if (c.isClosed() || c.link == null || c.state == Connection.State.TLS) {
            return;
        }
        try {
            boolean drained = c.queue.flush(clock.millis());
            if (drained && c.closingWhenFlushed()) {
                open.discard(c, "refused");
                return;
            }
            c.interest();
        } catch (IOException | RuntimeException e) {
            failures.failed(c, e);
        }
    }

    /** Sends a REFUSE and closes once it is out (or after a short linger). */
    void sendLast(Connection c, byte[] frame) {
        try {
            c.closeWhenFlushed();
            c.deadline = Math.min(c.deadline, clock.millis() + REFUSE_LINGER_MS);
            if (c.queue.enqueue(frame, 0) >= 0) {
                writeOut(c);
            } else {
                open.discard(c, "refused");
            }
        } catch (IOException | InterruptedException e) {
            open.discard(c, "refused");
        }
    }
}
