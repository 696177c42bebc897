package io.gencluster.dist.kit;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * A mailbox whose handler runs on the reading thread itself ({@link
 * MessageHandler#DELIVERY_INLINE}): no queue, no thread, no hand-off, so it never lacks room and
 * holds nothing. Handler calls that held that thread longer than {@link #SLOW_NANOS} in a row —
 * one call, or the calls for one batch the reader hands over — kept it from reading anything
 * else; such holds are logged, the first at once and then at most one line per {@link
 * #LOG_INTERVAL_NANOS} with their count and the longest, since a handler that is slow once is
 * usually slow often. The clock is read once per batch, not per message: at 1 KiB messages,
 * reading it around every call cost a stream a tenth of its rate. Failures are logged as {@link
 * HandlerFailures} says.
 */
final class InlineMailbox implements Box {

    private static final System.Logger LOG = System.getLogger(Mailboxes.class.getName());
    /** A hold longer than this is logged: a reading thread held that long misses heartbeats' pace. */
    static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final MessageHandler handler;
    private final HandlerFailures failures;
    // guarded by this
    private long slowHolds;
    private long longestNanos;
    private int longestMessages; // in the longest hold
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
        long began = System.nanoTime();
        for (int i = start; i < end; i++) {
            byte[] payload = batch[i];
            batch[i] = null;
            deliver(from, payload);
        }
        held(began, end - start);
        return end - start;
    }

    /** Calls the handler with one message; never waits. */
    @Override
    public boolean put(NodeName from, byte[] payload, long waitNanos) {
        long began = System.nanoTime();
        deliver(from, payload);
        held(began, 1);
        return true;
    }

    private void deliver(NodeName from, byte[] payload) {
        try {
            handler.message(from, payload);
        } catch (RuntimeException e) {
            failures.failed(from, e, System.nanoTime());
        }
    }

    /** The handler held the reading thread from {@code began} until now, for {@code messages} in a row. */
    private void held(long began, int messages) {
        long now = System.nanoTime();
        if (now - began > SLOW_NANOS) {
            slow(now - began, messages, now);
        }
    }

    private void slow(long took, int messages, long now) {
        long holds;
        long longest;
        int inLongest;
        synchronized (this) {
            slowHolds++;
            if (took > longestNanos) {
                longestNanos = took;
                longestMessages = messages;
            }
            if (now - lastLog < LOG_INTERVAL_NANOS) {
                return;
            }
            lastLog = now;
            holds = slowHolds;
            longest = longestNanos;
            inLongest = longestMessages;
            slowHolds = 0;
            longestNanos = 0;
        }
        LOG.log(Level.WARNING, "handler of mailbox ''{0}'' (inline delivery) held the transport''s reading thread longer than {1} ms"
                + " {2,number,#} time(s), the longest {3,number,#} ms (over {4,number,#} message(s) in a row), and that thread read"
                + " nothing else meanwhile; give it {5} = {6} if it may block (further ones summarised every 10 s)",
                LogText.escape(name), TimeUnit.NANOSECONDS.toMillis(SLOW_NANOS), holds, TimeUnit.NANOSECONDS.toMillis(longest), inLongest,
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
