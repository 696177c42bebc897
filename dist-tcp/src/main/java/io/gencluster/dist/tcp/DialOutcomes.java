package io.gencluster.dist.tcp;

import io.gencluster.dist.kit.NodeEvents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * How dials end for those waiting on them: succeeded once their node is connected (by this dial
 * or by the other side's), failed with a reason, or timed out waiter by waiter. Works on the
 * dials of the {@link ConnectionTable}, under its lock. Every waiter's stage completes on the
 * event thread, like listener calls: the caller's callbacks run neither under the table's lock
 * nor on the selector thread, and a node's NODE_UP is delivered before the connect that brought
 * it up completes.
 */
final class DialOutcomes {

    private final ConnectionTable table;
    private final NodeEvents events;
    private final OpenConnections open;

    DialOutcomes(ConnectionTable table, NodeEvents events, OpenConnections open) {
        this.table = table;
        this.events = events;
        this.open = open;
    }

    /** Completes every waiter of a dial whose node is now connected. Caller holds the table's lock. */
    void succeed(Dial d) {
        d.finished = true;
        table.dialling.remove(d.node, d);
        for (Dial.Waiter w : d.waiters) {
            events.settle(w.future, null);
        }
        d.waiters.clear();
    }

    /** Fails every waiter of {@code d} with {@code why}, and closes its attempt unless that is closing on its own. */
    void fail(Dial d, String why) {
        Connection attempt;
        synchronized (table) {
            if (d.finished) {
                return;
            }
            d.finished = true;
            table.dialling.remove(d.node, d);
            IOException e = new IOException(why);
            for (Dial.Waiter w : d.waiters) {
                events.settle(w.future, e);
            }
            d.waiters.clear();
            attempt = d.attempt;
        }
        if (attempt != null && !attempt.isClosed() && !attempt.closingWhenFlushed()) {
            open.discard(attempt, why);
        }
    }

    /** Expires the waiters past their deadline; a dial nobody waits for any more is abandoned. */
    void expire(long now) {
        List<Connection> abandoned = new ArrayList<>();
        synchronized (table) {
            if (table.dialling.isEmpty()) {
                return;
            }
            for (Dial d : List.copyOf(table.dialling.values())) {
                d.waiters.removeIf(w -> {
                    if (now < w.deadline) {
                        return false;
                    }
                    events.settle(w.future, new TimeoutException("connect to " + d.node + " timed out after "
                            + w.timeoutMillis + " ms" + (d.waitingFor == null ? "" : " (" + d.waitingFor + ")")));
                    return true;
                });
                if (d.waiters.isEmpty()) {
                    d.finished = true;
                    table.dialling.remove(d.node, d);
                    if (d.attempt != null) {
                        abandoned.add(d.attempt);
                    }
                }
            }
        }
        for (Connection c : abandoned) {
            open.discard(c, "connect timed out");
        }
    }

    /** The earliest deadline of anyone waiting for a dial; {@code Long.MAX_VALUE} when none waits. */
    long nextDeadline() {
        synchronized (table) {
            long next = Long.MAX_VALUE;
            for (Dial d : table.dialling.values()) {
                for (Dial.Waiter w : d.waiters) {
                    next = Math.min(next, w.deadline);
                }
            }
            return next;
        }
    }

    /** The dials under way, for shutdown to fail. */
    List<Dial> pending() {
        synchronized (table) {
            return List.copyOf(table.dialling.values());
        }
    }
}
