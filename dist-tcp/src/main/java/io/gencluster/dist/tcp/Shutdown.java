package io.gencluster.dist.tcp;

import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.dist.kit.NodeEvents;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closing the transport: the selector loop stops and, as its last act, closes every connection
 * (those up reported down with {@link DownReason#SHUTDOWN}) and fails every dial; then the
 * mailboxes, the resolver, the event thread and the EPMD timer stop, each waited for a bounded
 * time — not at all by the thread being stopped, since a listener or handler may close the node.
 */
final class Shutdown {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());
    private static final long STOP_WAIT_MS = 5_000;

    private final NodeName self;
    private final IoThread io;
    private final ConnectionTable table;
    private final OpenConnections open;
    private final DialOutcomes dials;
    private final IncomingConnections incoming;
    private final Dialer dialer;
    private final Mailboxes mailboxes;
    private final NodeEvents events;
    private final PoolThreads threads;

    Shutdown(NodeName self, IoThread io, ConnectionTable table, OpenConnections open, DialOutcomes dials, IncomingConnections incoming,
            Dialer dialer, Mailboxes mailboxes, NodeEvents events, PoolThreads threads) {
        this.self = self;
        this.io = io;
        this.table = table;
        this.open = open;
        this.dials = dials;
        this.incoming = incoming;
        this.dialer = dialer;
        this.mailboxes = mailboxes;
        this.events = events;
        this.threads = threads;
    }

    /**
     * Marks the transport closed, then stops the selector loop and waits for its last act.
     *
     * @return false when the transport was closed already or never started: nothing more to stop
     */
    boolean stopLoop() {
        if (!table.close()) {
            return false;
        }
        if (!io.started()) {
            return false;
        }
        io.stop();
        io.join(STOP_WAIT_MS);
        return true;
    }

    /** Stops every other thread of the transport, {@code epmdTimer} (null without EPMD) already shut down. */
    void stopThreads(ScheduledExecutorService epmdTimer) {
        List<Thread> mailboxThreads = mailboxes.close();
        dialer.stop();
        events.close(Duration.ofMillis(STOP_WAIT_MS));
        try {
            dialer.awaitStopped(STOP_WAIT_MS);
            if (epmdTimer != null) {
                epmdTimer.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Thread> all = new ArrayList<>(mailboxThreads);
        all.addAll(threads.all());
        PoolThreads.joinAll(all, STOP_WAIT_MS);
        LOG.log(Level.INFO, "{0} stopped listening", self);
    }

    /** Last act of the selector thread: every connection closed and reported, every waiter told. */
    void onLoop() {
        io.stop();
        synchronized (table) {
            table.closed = true;
        }
        for (Connection c : open.snapshot()) {
            if (c.state == Connection.State.UP) {
                open.lost(c, DownReason.SHUTDOWN, self + " is shutting down");
            } else {
                open.discard(c, "shutting down");
            }
        }
        for (Dial d : dials.pending()) {
            dials.fail(d, "transport of " + self + " closed");
        }
        incoming.close();
        io.close();
    }
}
