package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.LogText;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Messages dropped because no mailbox of this node has the name or pid they were sent to, logged
 * as one line per period with a count per mailbox, e.g. {@code dropped 1,204 messages in 10 s for
 * mailboxes not on this node: 'orders' 1,200 (last from a@h), pid <0.81.0> 4 (last from b@h)}. The first drop
 * of a quiet period is logged at once. At most {@link #MAX_TARGETS} targets are named per period;
 * the rest are counted together. Targets are peer-supplied: escaped. Thread-safe; {@link #flush}
 * is called periodically (by the {@link NetTicker}).
 */
final class DroppedMessages {

    static final int MAX_TARGETS = 16;
    private static final String OTHERS = "other mailboxes";

    private final System.Logger log;
    private final long periodNanos;
    private final LongSupplier nanoTime;
    private final Map<String, long[]> counts = new LinkedHashMap<>(); // guarded by this
    private final Map<String, NodeName> lastSender = new LinkedHashMap<>(); // guarded by this
    private long periodStart;
    private boolean open;

    DroppedMessages(System.Logger log, long periodMillis, LongSupplier nanoTime) {
        this.log = log;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        this.nanoTime = nanoTime;
    }

    /** One message from {@code from} to {@code target} ("'name'" or "pid <...>"), dropped. */
    void dropped(NodeName from, String target) {
        String first = null;
        String summary;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            summary = endPeriodIfOver(now);
            if (!open) {
                open = true;
                periodStart = now;
                first = "message from " + from + " to " + LogText.escape(target) + " dropped: no such mailbox on this node"
                        + " (further drops summarised every " + TimeUnit.NANOSECONDS.toSeconds(periodNanos) + " s)";
            } else {
                String key = counts.containsKey(target) || counts.size() < MAX_TARGETS ? target : OTHERS;
                counts.computeIfAbsent(key, k -> new long[1])[0]++;
                lastSender.put(key, from);
            }
        }
        write(summary);
        write(first);
    }

    /** Writes the summary of a period that is over; call it periodically. */
    void flush() {
        String summary;
        synchronized (this) {
            summary = endPeriodIfOver(nanoTime.getAsLong());
        }
        write(summary);
    }

    private String endPeriodIfOver(long now) {
        if (!open || now - periodStart < periodNanos) {
            return null;
        }
        open = false;
        if (counts.isEmpty()) {
            return null;
        }
        long total = 0;
        StringJoiner each = new StringJoiner(", ");
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            total += e.getValue()[0];
            String name = e.getKey().equals(OTHERS) ? OTHERS : LogText.escape(e.getKey());
            each.add(String.format("%s %,d (last from %s)", name, e.getValue()[0], lastSender.get(e.getKey())));
        }
        counts.clear();
        lastSender.clear();
        long secs = Math.max(1, Math.round((now - periodStart) / 1e9));
        return String.format("dropped %,d more messages in %d s for mailboxes not on this node: %s", total, secs, each);
    }

    private void write(String line) {
        if (line != null) {
            log.log(Level.WARNING, line);
        }
    }
}
