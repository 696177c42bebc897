package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Clock;
import java.util.List;

/**
 * What the selector thread does, turn after turn, without blocking: waits for readiness until the
 * next deadline (a sweep, a dial's waiter, a parked connection's retry), runs the tasks other
 * threads posted, retries parked connections before any other reads on, serves every ready key
 * (accept, connect, TLS, read, write), expires dials, and sweeps. When the loop ends, for a close
 * or a failure, its last act is {@link Shutdown#onLoop}.
 */
final class SelectorLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());

    private final NodeName self;
    private final Clock clock;
    private final IoThread io;
    private final IncomingConnections incoming;
    private final Dialer dialer;
    private final InboundFrames frames;
    private final OutboundFrames outbound;
    private final MailboxDelivery delivery;
    private final DialOutcomes dials;
    private final Liveness liveness;
    private final ConnectionFailures failures;
    private final Shutdown shutdown;
    private final BusyPoll busyPoll;

    SelectorLoop(TcpDistSettings settings, IoThread io, IncomingConnections incoming, Dialer dialer, InboundFrames frames,
            OutboundFrames outbound, MailboxDelivery delivery, DialOutcomes dials, Liveness liveness, ConnectionFailures failures,
            Shutdown shutdown, BusyPoll busyPoll) {
        this.self = settings.self;
        this.clock = settings.clock;
        this.io = io;
        this.incoming = incoming;
        this.dialer = dialer;
        this.frames = frames;
        this.outbound = outbound;
        this.delivery = delivery;
        this.dials = dials;
        this.liveness = liveness;
        this.failures = failures;
        this.shutdown = shutdown;
        this.busyPoll = busyPoll;
    }

    @Override
    public void run() {
        Selector selector = io.selector();
        io.lead.start();
        try {
            liveness.begin(clock.millis());
            while (!io.stopping()) {
                long now = clock.millis();
                long until = Math.min(liveness.nextSweep(), dials.nextDeadline());
                if (delivery.hasParked()) {
                    until = Math.min(until, now + MailboxDelivery.PARKED_RETRY_MS);
                }
                if (frames.anyYielded()) {
                    until = now; // a connection has more to read: look at the others, then read on
                }
                long wait = until - now;
                if (wait > 0) {
                    busyPoll.select(selector, io, wait);
                } else {
                    selector.selectNow();
                }
                serve(selector);
                now = clock.millis();
                dials.expire(now);
                liveness.sweepIfDue(now);
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(Level.ERROR, "selector loop of " + self + " failed; closing every connection", e);
        } finally {
            shutdown.onLoop();
        }
    }

    /**
     * A turn run by a mailbox's thread that polls, holding the lead ({@link SelectorLead}): serves
     * whatever is ready now, without waiting. Deadlines stay with the selector thread, which runs
     * them at least every {@link SelectorLead#ASIDE_NANOS}. A failure ends the loop as it would on
     * the selector thread.
     *
     * @return whether anything was ready
     */
    boolean assistTurn() {
        if (io.stopping()) {
            return false;
        }
        try {
            Selector selector = io.selector();
            // woken: room made in a full mailbox (a parked connection reads on), or tasks posted
            if (selector.selectNow() == 0 && !frames.anyYielded() && !io.hasTasks() && !io.takeWakeup()) {
                return false;
            }
            serve(selector);
            return true;
        } catch (IOException | RuntimeException e) {
            if (!io.stopping()) {
                LOG.log(Level.ERROR, "selector turn of " + self + " on " + Thread.currentThread().getName()
                        + " failed; closing every connection", e);
                io.stop();
            }
            return false;
        }
    }

    /** Runs the posted tasks, then serves parked connections, the ready keys and connections with more to read. */
    private void serve(Selector selector) {
        List<Connection> yielded = frames.takeYielded(); // taken first: each reads once per turn
        io.runTasks();
        if (delivery.hasParked()) {
            // before any connection reads on: room made in a full mailbox goes to those already waiting
            resumeParked(clock.millis());
        }
        for (SelectionKey key : selector.selectedKeys()) {
            ready(key);
        }
        selector.selectedKeys().clear();
        readOn(yielded);
    }

    private void ready(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        Connection c = (Connection) key.attachment();
        if (c == null) {
            incoming.acceptAll();
            return;
        }
        try {
            if (key.isConnectable()) {
                c.channel.finishConnect();
                dialer.connected(c);
            } else if (c.state == Connection.State.TLS) {
                frames.tls(c);
            } else {
                if (key.isReadable()) {
                    frames.readFrames(c);
                }
                if (key.isValid() && key.isWritable()) {
                    outbound.writeOut(c);
                }
            }
            c.interest();
        } catch (IOException | RuntimeException e) {
            failures.failed(c, e);
        }
    }

    /** The next turn of connections that had more to read than one turn takes. */
    private void readOn(List<Connection> yielded) {
        for (Connection c : yielded) {
            if (!c.isClosed() && !c.parked) {
                readOn(c);
            }
        }
    }

    /** Parked connections, longest waiting first: hand over if there is room, then read on. */
    private void resumeParked(long now) {
        for (Connection c : delivery.longestParkedFirst()) {
            if (delivery.resume(c, now)) {
                readOn(c);
            }
        }
    }

    /** Reads what {@code c} has without waiting for the selector to report it readable. */
    private void readOn(Connection c) {
        try {
            frames.readFrames(c);
            c.interest();
        } catch (IOException | RuntimeException e) {
            failures.failed(c, e);
        }
    }
}
