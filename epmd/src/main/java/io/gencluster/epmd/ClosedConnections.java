package io.gencluster.epmd;

import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.Map;

/**
 * The connections a {@link PortMapper} closed or refused, counted by cause and logged as one
 * summary line per {@value #PERIOD_MS} ms at most: a flood of idle or garbage connections writes a
 * line every ten seconds, not one per connection. Used on the port mapper's selector thread only.
 */
final class ClosedConnections {

    static final long PERIOD_MS = 10_000;
    private static final System.Logger LOG = System.getLogger(PortMapper.class.getName());

    enum Cause {
        DEADLINE("past their deadline (request " + PortMapper.REQUEST_DEADLINE_MS + " ms, reply "
                + PortMapper.EXCHANGE_DEADLINE_MS + " ms after accept)"),
        EVICTED("closed unanswered to make room (at most " + PortMapper.MAX_UNREGISTERED + " waiting)"),
        MALFORMED("malformed request"),
        UNKNOWN("unknown request code"),
        REMOTE_ALIVE2("registration from another host"),
        REGISTRATIONS_FULL("registration refused (" + PortMapper.MAX_REGISTRATIONS + " registered)"),
        ACCEPT_FAILED("accept failed");

        final String text;

        Cause(String text) {
            this.text = text;
        }
    }

    private final int port;
    private final Map<Cause, Long> counts = new EnumMap<>(Cause.class);
    private long windowStartNanos;
    private String lastDetail;

    ClosedConnections(int port) {
        this.port = port;
    }

    void count(Cause cause, long nowNanos, String detail) {
        if (counts.isEmpty()) {
            windowStartNanos = nowNanos;
        }
        counts.merge(cause, 1L, Long::sum);
        if (detail != null) {
            lastDetail = detail;
        }
    }

    /** When the current summary is due (System.nanoTime), or Long.MAX_VALUE with nothing to report. */
    long dueNanos() {
        return counts.isEmpty() ? Long.MAX_VALUE : windowStartNanos + PERIOD_MS * 1_000_000L;
    }

    /** Logs the summary if it is due (or {@code force}: the port mapper is closing). */
    void logIfDue(long nowNanos, boolean force) {
        if (counts.isEmpty() || (!force && nowNanos - dueNanos() < 0)) {
            return;
        }
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder causes = new StringBuilder();
        counts.forEach((cause, n) -> causes.append(causes.length() == 0 ? "" : ", ").append(String.format("%,d", n))
                .append(' ').append(cause.text));
        long seconds = Math.max(1, (nowNanos - windowStartNanos + 999_999_999L) / 1_000_000_000L);
        LOG.log(Level.WARNING, "port mapper on port {0,number,#} closed {1} connection(s) in {2} s: {3}{4}", port,
                String.format("%,d", total), seconds, causes, lastDetail == null ? "" : " (last: " + lastDetail + ")");
        counts.clear();
        lastDetail = null;
    }
}
