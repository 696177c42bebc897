package io.gencluster.dist.kit;

import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * A mailbox's handler failing: the first failure of a quiet period is logged at once, with its
 * stack trace; the failures after it are counted and summarised in one line per {@link
 * #PERIOD_NANOS}, when the next one comes after the period. A handler that throws on every message
 * thus writes one line per period, not one per message. Thread-safe.
 */
final class HandlerFailures {

    static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final System.Logger log;
    private final String mailbox;
    private final String delivery;
    // guarded by this
    private long periodStart;
    private boolean open;
    private long count;

    /** {@code delivery} says how the mailbox delivers, for the log: "queued" or "inline". */
    HandlerFailures(System.Logger log, String mailbox, String delivery) {
        this.log = log;
        this.mailbox = LogText.escape(mailbox);
        this.delivery = delivery;
    }

    void failed(NodeName from, RuntimeException e, long now) {
        long summarised;
        boolean first;
        synchronized (this) {
            summarised = open && now - periodStart >= PERIOD_NANOS ? count : -1;
            if (summarised >= 0) {
                open = false;
            }
            first = !open;
            if (first) {
                open = true;
                periodStart = now;
                count = 0;
            } else {
                count++;
            }
        }
        if (summarised > 0) {
            log.log(Level.WARNING, String.format("handler of mailbox '%s' (%s delivery) failed on %,d more message(s) in %d s",
                    mailbox, delivery, summarised, TimeUnit.NANOSECONDS.toSeconds(PERIOD_NANOS)));
        }
        if (first) {
            log.log(Level.WARNING, "handler of mailbox '" + mailbox + "' (" + delivery + " delivery) failed on a message from " + from
                    + " (further failures summarised every " + TimeUnit.NANOSECONDS.toSeconds(PERIOD_NANOS) + " s)", e);
        }
    }
}
