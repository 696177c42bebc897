package io.gencluster.dist.kit;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Refused and failed connections logged so that no peer, hostile or just many, can flood the
 * log: the first refusal of a (source address, cause) pair in a period is logged at once, the
 * rest of that period only counted, and when the period is over one line per pair sums it up:
 * {@code refused 11,621 connections from 127.0.0.1 in 10 s: frame length out of range}.
 *
 * <p>The causes are short fixed texts chosen by the transport, never peer-supplied text as is
 * (escape that with {@link LogText#escape} first). At most {@link #MAX_PAIRS} pairs are told apart
 * in a period; refusals past them are counted under "other sources". Summaries are written by
 * the next {@link #refused} or {@link #flush} after their period ends: a transport calls
 * {@code flush} from a thread that runs periodically (its heartbeat sweep), so the last summary
 * of an attack that stopped is written too. Thread-safe.
 */
public final class RefusalLog {

    /** Distinct (source, cause) pairs counted in one period; more share one "other sources" line. */
    public static final int MAX_PAIRS = 256;

    private final System.Logger log;
    private final String what;
    private final long periodNanos;
    private final LongSupplier nanoTime;
    private final Map<Key, long[]> counts = new LinkedHashMap<>();
    private long periodStart;
    private boolean open;

    private record Key(String source, String cause) {
    }

    /**
     * @param log where the lines go (the transport's logger), at WARNING
     * @param what what is refused, plural, e.g. {@code "connections"} or {@code "handshakes"}
     * @param periodMillis how long one summary period lasts
     * @param nanoTime the clock ({@link System#nanoTime} outside tests)
     */
    public RefusalLog(System.Logger log, String what, long periodMillis, LongSupplier nanoTime) {
        if (periodMillis <= 0) {
            throw new IllegalArgumentException("period must be positive: " + periodMillis);
        }
        this.log = log;
        this.what = what;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        this.nanoTime = nanoTime;
    }

    /** A log of refusals summarised every 10 s on the system clock. */
    public static RefusalLog every10s(System.Logger log, String what) {
        return new RefusalLog(log, what, 10_000, System::nanoTime);
    }

    /** One refusal from {@code source} (null: unknown) for {@code cause} (null: "no reason given"). */
    public void refused(InetAddress source, String cause) {
        refused(source == null ? "an unknown address" : source.getHostAddress(), cause);
    }

    /** One refusal from the source written as {@code source}. */
    public void refused(String source, String cause) {
        String c = cause == null || cause.isBlank() ? "no reason given" : cause;
        List<String> lines = new ArrayList<>(2);
        synchronized (this) {
            long now = nanoTime.getAsLong();
            endPeriodIfOver(now, lines);
            if (!open) {
                open = true;
                periodStart = now;
            }
            Key key = new Key(source, c);
            long[] count = counts.get(key);
            if (count == null && counts.size() >= MAX_PAIRS) {
                key = new Key("other sources", "various causes");
                count = counts.get(key);
            }
            if (count == null) {
                counts.put(key, new long[] {1});
                lines.add("refused " + what.replaceAll("s$", "") + " from " + key.source + ": " + key.cause
                        + " (further ones summarised every " + seconds(periodNanos) + ")");
            } else {
                count[0]++;
            }
        }
        write(lines);
    }

    /** Writes the summaries of a period that is over; call it periodically. */
    public void flush() {
        List<String> lines = new ArrayList<>(0);
        synchronized (this) {
            endPeriodIfOver(nanoTime.getAsLong(), lines);
        }
        write(lines);
    }

    /** Refusals counted in the current period, all pairs together (for tests and status). */
    public synchronized long pending() {
        long sum = 0;
        for (long[] c : counts.values()) {
            sum += c[0];
        }
        return sum;
    }

    private void endPeriodIfOver(long now, List<String> lines) {
        if (!open || now - periodStart < periodNanos) {
            return;
        }
        String span = seconds(now - periodStart);
        for (Map.Entry<Key, long[]> e : counts.entrySet()) {
            long n = e.getValue()[0];
            if (n > 1) { // the first was logged when it happened
                lines.add(String.format("refused %,d %s from %s in %s: %s", n, what, e.getKey().source, span, e.getKey().cause));
            }
        }
        counts.clear();
        open = false;
    }

    private void write(List<String> lines) {
        for (String line : lines) {
            log.log(Level.WARNING, line);
        }
    }

    private static String seconds(long nanos) {
        return Math.max(1, Math.round(nanos / 1e9)) + " s";
    }
}
