package io.gencluster.dist.tcp;

import io.gencluster.api.DownReason;
import io.gencluster.dist.tcp.wire.FrameCodec;
import java.io.IOException;

/**
 * The selector thread's periodic sweep over every open connection: a TICK on one that wrote
 * nothing for {@code tick.ms}, a NODE_DOWN (heartbeat timeout) for one that received nothing for
 * {@code tick.timeout.ms} (a connection parked on a full mailbox of this node is not held against
 * its peer), and the end of connects and handshakes past their deadline.
 *
 * <p>Silence is judged only on what has been read, so a verdict is given in two steps: a sweep
 * that finds a connection silent asks for another sweep right after one more select, which reads
 * whatever already waits in the sockets; only a connection still silent then, in a sweep that
 * follows the first with no gap (this node ran throughout), is declared down. When this node
 * itself was stopped (SIGSTOP, a long GC), its first sweep on resume sees every peer silent for
 * as long as the pause, while their ticks sit unread in its sockets: those ticks clear them.
 */
final class Liveness {

    private static final byte[] EMPTY = new byte[0];
    private static final long NONE = Long.MIN_VALUE;

    private final TcpDistSettings settings;
    private final OpenConnections open;
    private final OutboundFrames outbound;
    private final ConnectionFailures failures;
    private final DialOutcomes dials;
    private final byte[] tickFrame = FrameCodec.encode(FrameCodec.TICK, EMPTY);
    private final long sweepPeriodMs;
    private long nextSweep; // selector thread only
    private long suspectedAt = NONE; // selector thread only: the sweep that found a connection silent

    Liveness(TcpDistSettings settings, OpenConnections open, OutboundFrames outbound, ConnectionFailures failures, DialOutcomes dials) {
        this.settings = settings;
        this.open = open;
        this.outbound = outbound;
        this.failures = failures;
        this.dials = dials;
        this.sweepPeriodMs = Math.max(5, Math.min(100, settings.tick.toMillis() / 4));
    }

    /** The loop begins: the first sweep is one period away. */
    void begin(long now) {
        nextSweep = now + sweepPeriodMs;
    }

    /** When the next sweep is due, in clock millis. */
    long nextSweep() {
        return nextSweep;
    }

    /** Sweeps if it is time. */
    void sweepIfDue(long now) {
        if (now >= nextSweep) {
            // a confirming sweep follows the suspecting one within a period: this node was not stopped between
            boolean confirming = suspectedAt != NONE && now - suspectedAt <= sweepPeriodMs;
            boolean silent = sweep(now, confirming);
            suspectedAt = silent && !confirming ? now : NONE;
            // a suspect: sweep again as soon as one select has read what the sockets hold
            nextSweep = suspectedAt != NONE ? now : now + sweepPeriodMs;
        }
    }

    /**
     * Ticks idle connections, declares silent ones down when {@code confirming}, and closes
     * handshakes past their deadline. True when a connection was found silent and left up.
     */
    private boolean sweep(long now, boolean confirming) {
        failures.refusals.flush(); // the last summary of refusals that stopped
        long tick = settings.tick.toMillis();
        long silence = settings.tickTimeout.toMillis();
        boolean silent = false;
        for (Connection c : open.all()) {
            try {
                silent |= sweep(c, now, tick, silence, confirming);
            } catch (RuntimeException e) {
                failures.failed(c, e);
            }
        }
        return silent;
    }

    private boolean sweep(Connection c, long now, long tick, long silence, boolean confirming) {
        if (c.isClosed()) {
            open.forget(c);
        } else if (c.state == Connection.State.UP) {
            if (!c.parked && now - c.lastRead > silence) {
                if (confirming) {
                    open.lost(c, DownReason.HEARTBEAT_TIMEOUT, "nothing received for " + silence + " ms");
                    return false;
                }
                return true;
            }
            c.queue.trimIfIdle(now);
            c.trimReadBufferIfIdle();
            if (now - c.queue.lastWrite >= tick && c.idleForWrites()) {
                try {
                    outbound.send(c, tickFrame);
                } catch (IOException e) {
                    failures.failed(c, e);
                }
            }
        } else if (now >= c.deadline) {
            if (c.closingWhenFlushed()) {
                open.discard(c, "refused");
            } else if (c.initiated) {
                open.discard(c, "handshake timed out");
                if (c.dial != null) {
                    dials.fail(c.dial, "cannot connect to " + c.peer + " at " + c.remote + ": handshake timed out after "
                            + settings.handshakeTimeout.toMillis() + " ms");
                }
            } else {
                failures.handshakeTimedOut(c);
            }
        }
        return false;
    }
}
