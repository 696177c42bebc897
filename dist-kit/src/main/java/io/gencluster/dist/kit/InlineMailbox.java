package io.gencluster.dist.kit;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * A mailbox whose handler runs on the reading thread itself ({@link
 * MessageHandler#DELIVERY_INLINE}): no queue, no thread, no hand-off, so it never lacks room and
 * holds nothing. A call that takes longer than {@link #SLOW_NANOS} held up everything else that
 * thread reads; such calls are logged, the first at once and then at most one line per {@link
 * #LOG_INTERVAL_NANOS} with their count and the longest, since a handler that is slow once is
 * usually slow often. Failures are logged as {@link HandlerFailures} says.
 */
final class InlineMailbox implements Box {

    private static final System.Logger LOG = System.getLogger(Mailboxes.class.getName());
    /** A call longer than this is logged: a reading thread held that long misses heartbeats' pace. */
    static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final MessageHandler handler;
    private final HandlerFailures failures;
    // guarded by this
    private long slowCalls;
    private long longestNanos;
    private long lastLog = System.nanoTime() - LOG_INTERVAL_NANOS;

    InlineMailbox(String name, MessageHandler handler) {
        this.name = name;
        this.handler = handler;
        this.failures = new HandlerFailures(LOG, name, "inline");
    }

    @Override
    public MessageHandler handler() {
        return handler;
    }

    /** Calls the handler for each of {@code batch[start..end)}, in order, clearing each slot; takes all. */
    @Override
    public int put(NodeName from, byte[][] batch, int start, int end, boolean wake) {
        for (int i = start; i < end; i++) {
            byte[] payload = batch[i];
            batch[i] = null;
            deliver(from, payload);
        }
        return end - start;
    }

    /** Calls the handler with one message; never waits. */
    @Override
    public boolean put(NodeName from, byte[] payload, long waitNanos) {
        deliver(from, payload);
        return true;
    }

    private void deliver(NodeName from, byte[] payload) {
        long began = System.nanoTime();
        try {
            handler.message(from, payload);
        } catch (RuntimeException e) {
            failures.failed(from, e, System.nanoTime());
        }
        long took = System.nanoTime() - began;
        if (took > SLOW_NANOS) {
            slow(took, began + took);
        }
    }

    private void slow(long took, long now) {
        long calls;
        long longest;
        synchronized (this) {
            slowCalls++;
            longestNanos = Math.max(longestNanos, took);
            if (now - lastLog < LOG_INTERVAL_NANOS) {
                return;
            }
            lastLog = now;
            calls = slowCalls;
            longest = longestNanos;
            slowCalls = 0;
            longestNanos = 0;
        }
        LOG.log(Level.WARNING, "handler of mailbox ''{0}'' (inline delivery) ran longer than {1} ms {2,number,#} time(s),"
                + " the longest {3,number,#} ms, on the transport''s reading thread, which read nothing else meanwhile;"
                + " give it {4} = {5} if it may block (further ones summarised every 10 s)", LogText.escape(name),
                TimeUnit.NANOSECONDS.toMillis(SLOW_NANOS), calls, TimeUnit.NANOSECONDS.toMillis(longest),
                MessageHandler.DELIVERY_PROPERTY, MessageHandler.DELIVERY_THREAD);
    }

    /** Holds nothing. */
    @Override
    public long bytes() {
        return 0;
    }

    @Override
    public long peakBytes() {
        return 0;
    }

    /** Delivers nothing later: every message was delivered when it came. */
    @Override
    public void finish() {
    }

    @Override
    public Thread stop() {
        return null;
    }
}
