package io.gencluster.dist.kit;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mailbox whose handler runs on the reading thread itself ({@link
 * MessageHandler#DELIVERY_INLINE}): no queue, no thread, no hand-off. A call that takes longer
 * than {@link #SLOW_NANOS} held up everything else that thread reads; such calls are logged, the
 * first at once and then at most one line per {@link #LOG_INTERVAL_NANOS} with their count and the
 * longest, since a handler that is slow once is usually slow often.
 */
final class InlineMailbox {

    private static final System.Logger LOG = System.getLogger(Mailboxes.class.getName());
    /** A call longer than this is logged: a reading thread held that long misses heartbeats' pace. */
    static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    final String name;
    final MessageHandler handler;
    private final AtomicLong slowCalls = new AtomicLong();
    private final AtomicLong longestNanos = new AtomicLong();
    private volatile long lastLog = System.nanoTime() - LOG_INTERVAL_NANOS;
    private volatile long lastFailureLog = System.nanoTime() - LOG_INTERVAL_NANOS;
    private final AtomicLong failures = new AtomicLong();

    InlineMailbox(String name, MessageHandler handler) {
        this.name = name;
        this.handler = handler;
    }

    /** Calls the handler for each of {@code payloads[start..end)}, in order, clearing each slot. */
    void deliver(NodeName from, byte[][] payloads, int start, int end) {
        for (int i = start; i < end; i++) {
            byte[] payload = payloads[i];
            payloads[i] = null;
            deliver(from, payload);
        }
    }

    /** Calls the handler with one message. */
    void deliver(NodeName from, byte[] payload) {
        long began = System.nanoTime();
        try {
            handler.message(from, payload);
        } catch (RuntimeException e) {
            failed(from, e);
        }
        long took = System.nanoTime() - began;
        if (took > SLOW_NANOS) {
            slow(took);
        }
    }

    private void slow(long took) {
        slowCalls.incrementAndGet();
        longestNanos.accumulateAndGet(took, Math::max);
        long now = System.nanoTime();
        if (now - lastLog < LOG_INTERVAL_NANOS) {
            return;
        }
        lastLog = now;
        long calls = slowCalls.getAndSet(0);
        long longest = longestNanos.getAndSet(0);
        LOG.log(Level.WARNING, "handler of mailbox ''{0}'' (inline delivery) ran longer than {1} ms {2,number,#} time(s),"
                + " the longest {3,number,#} ms, on the transport''s reading thread, which read nothing else meanwhile;"
                + " give it {4} = {5} if it may block (further ones summarised every 10 s)", name,
                TimeUnit.NANOSECONDS.toMillis(SLOW_NANOS), calls, TimeUnit.NANOSECONDS.toMillis(longest),
                MessageHandler.DELIVERY_PROPERTY, MessageHandler.DELIVERY_THREAD);
    }

    private void failed(NodeName from, RuntimeException e) {
        long count = failures.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastFailureLog < LOG_INTERVAL_NANOS) {
            return;
        }
        lastFailureLog = now;
        failures.set(0);
        LOG.log(Level.WARNING, "handler of mailbox '" + name + "' failed on " + count + " message(s), the last from " + from
                + " (further failures summarised every 10 s)", e);
    }
}
