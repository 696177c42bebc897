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
 *
 * <p>Ticks go out on a grid: at every multiple of {@code tick.ms} of this node's clock (which
 * starts at the wall clock), each connection that wrote nothing since that instant is ticked. An
 * idle node sends all its ticks in one wake-up, and as every node keeps the same grid, its peers'
 * ticks arrive together too and are read in one wake-up, not one per peer. No connection stays
 * silent longer than a tick: one that wrote after a grid point writes again by the next. A
 * connection idle for a whole tick outside the grid (a late sweep) is ticked at once.
 *
 * <p>While connections open, close or hand-shake, sweeps come every quarter tick (at most every
 * 100 ms), so that their deadlines hold. Once every connection is up, a sweep is due only at the
 * next grid point or when a connection may have fallen silent, at most 1 s apart.
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
    private final long sweepPeriodMs; // while connections change, and the least gap between sweeps
    private final long restPeriodMs; // the most between sweeps once every connection is up
    // selector thread only
    private long nextSweep;
    private long lastSweep;
    private long suspectedAt = NONE; // the sweep that found a connection silent
    private long nextGrid; // the next grid point: connections not written since are ticked there
    private long restUntil; // this sweep: when a connection next needs a tick or may be silent
    private boolean settled; // this sweep: every connection up

    Liveness(TcpDistSettings settings, OpenConnections open, OutboundFrames outbound, ConnectionFailures failures, DialOutcomes dials) {
        this.settings = settings;
        this.open = open;
        this.outbound = outbound;
        this.failures = failures;
        this.dials = dials;
        this.sweepPeriodMs = Math.max(5, Math.min(100, settings.tick.toMillis() / 4));
        this.restPeriodMs = Math.max(sweepPeriodMs, Math.min(1000, settings.tick.toMillis()));
    }

    /** The loop begins: the first sweep is one period away. */
    void begin(long now) {
        lastSweep = now;
        nextSweep = now + sweepPeriodMs;
        nextGrid = gridAfter(now);
    }

    /** The first grid point after {@code now}: the next multiple of {@code tick.ms}. */
    private long gridAfter(long now) {
        long tick = settings.tick.toMillis();
        return now - Math.floorMod(now, tick) + tick;
    }

    /** When the next sweep is due, in clock millis: a quarter tick after the last when a connection opened since. */
    long nextSweep() {
        return open.addedSinceSweep() ? Math.min(nextSweep, lastSweep + sweepPeriodMs) : nextSweep;
    }

    /** Sweeps if it is time: by {@link #nextSweep()}, the time the loop waited for, or it would poll until the later one. */
    void sweepIfDue(long now) {
        if (now >= nextSweep()) {
            // a confirming sweep follows the suspecting one within a period: this node was not stopped between
            boolean confirming = suspectedAt != NONE && now - suspectedAt <= sweepPeriodMs;
            long grid = now >= nextGrid ? nextGrid : NONE; // the grid point this sweep ticks for, if one passed
            boolean silent = sweep(now, grid, confirming);
            if (grid != NONE) {
                nextGrid = gridAfter(now);
            }
            suspectedAt = silent && !confirming ? now : NONE;
            lastSweep = now;
            if (suspectedAt != NONE) {
                nextSweep = now; // a suspect: sweep again as soon as one select has read what the sockets hold
            } else if (settled) {
                nextSweep = Math.max(now + sweepPeriodMs, Math.min(restUntil, now + restPeriodMs));
            } else {
                nextSweep = now + sweepPeriodMs;
            }
            if (suspectedAt == NONE) {
                nextSweep = Math.min(nextSweep, nextGrid); // on time at the grid, whatever the period
            }
        }
    }

    /**
     * Ticks idle connections, declares silent ones down when {@code confirming}, and closes
     * handshakes past their deadline. True when a connection was found silent and left up.
     */
    private boolean sweep(long now, long grid, boolean confirming) {
        failures.refusals.flush(); // the last summary of refusals that stopped
        long tick = settings.tick.toMillis();
        long silence = settings.tickTimeout.toMillis();
        boolean silent = false;
        open.sweeping();
        settled = true;
        restUntil = Long.MAX_VALUE;
        for (Connection c : open.all()) {
            try {
                silent |= sweep(c, now, grid, tick, silence, confirming);
            } catch (RuntimeException e) {
                failures.failed(c, e);
            }
        }
        return silent;
    }

    private boolean sweep(Connection c, long now, long grid, long tick, long silence, boolean confirming) {
        if (c.isClosed()) {
            open.forget(c);
            return false;
        }
        if (c.state == Connection.State.UP) {
            if (!c.parked && now - c.lastRead > silence) {
                if (confirming) {
                    open.lost(c, DownReason.HEARTBEAT_TIMEOUT, "nothing received for " + silence + " ms");
                    return false;
                }
                return true;
            }
            c.queue.trimIfIdle(now);
            c.trimReadBufferIfIdle();
            if (!c.parked) {
                restUntil = Math.min(restUntil, c.lastRead + silence + 1);
            }
            long lastWrite = c.queue.lastWrite;
            boolean due = now - lastWrite >= tick || (grid != NONE && lastWrite < grid);
            if (due && c.idleForWrites()) {
                tick(c);
            } else {
                restUntil = Math.min(restUntil, lastWrite + tick);
            }
            return false;
        }
        settled = false;
        if (now >= c.deadline) {
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

    /** Sends a TICK; a failure fails that connection alone, here as in the sweep's loop. */
    private void tick(Connection c) {
        try {
            outbound.send(c, tickFrame);
        } catch (IOException | RuntimeException e) {
            failures.failed(c, e);
        }
    }
}
