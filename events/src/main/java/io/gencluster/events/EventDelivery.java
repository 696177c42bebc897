package io.gencluster.events;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands events to a synchronous sink (EventAdmin's {@code sendEvent}) on one thread of its own, in
 * the order offered, so the caller never waits for the sink; and, on {@link #close}, waits a
 * bounded time until every event already offered has been handed over. Plain Java.
 *
 * <p>The queue holds at most {@value #CAPACITY} events: when the sink falls that far behind, further
 * events are dropped, logged once when dropping starts and once, with the count, when it stops.
 * {@link #offer} is called from one thread at a time (the runtime's event thread).
 *
 * @param <E> the event type
 */
final class EventDelivery<E> {

    private static final System.Logger LOG = System.getLogger(EventDelivery.class.getName());
    static final int CAPACITY = 10_000;

    private final Consumer<? super E> sink;
    private final ThreadPoolExecutor thread;
    private long dropped; // since dropping began; guarded by this
    private volatile boolean abandoned; // close gave up waiting: what is still queued is skipped

    /**
     * @param threadName the name of the one delivering thread, started at once: the bridge's
     *     threads are the same from activation on, not one more after the first event
     */
    EventDelivery(Consumer<? super E> sink, String threadName) {
        this.sink = sink;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(CAPACITY), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        thread.prestartCoreThread();
    }

    /** Queues {@code event} for the sink; false when it was dropped (queue full, or closed). */
    synchronized boolean offer(E event) {
        if (thread.isShutdown()) {
            return false; // a listener call racing the deactivation: the sink is going away
        }
        try {
            thread.execute(() -> deliver(event));
        } catch (RejectedExecutionException e) {
            if (dropped++ == 0) {
                LOG.log(Level.WARNING, "EventAdmin is " + CAPACITY + " cluster events behind; dropping new ones until it catches up");
            }
            return false;
        }
        if (dropped > 0) {
            LOG.log(Level.WARNING, "EventAdmin caught up; dropped {0} cluster event(s) meanwhile", dropped);
            dropped = 0;
        }
        return true;
    }

    private void deliver(E event) {
        if (abandoned) {
            return;
        }
        try {
            sink.accept(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "EventAdmin did not take " + event, e);
        }
    }

    /**
     * Accepts no more events and waits up to {@code drain} until those queued have been handed to
     * the sink. The delivering thread is never interrupted (an interrupted {@code sendEvent} cuts a
     * handler's delivery short); after {@code drain}, what is still queued is skipped and the one in
     * delivery left to finish. True when everything was delivered in time.
     */
    boolean close(Duration drain) {
        int queued;
        synchronized (this) {
            thread.shutdown();
            queued = thread.getQueue().size() + thread.getActiveCount();
        }
        try {
            if (thread.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        abandoned = true;
        LOG.log(Level.WARNING, "EventAdmin took longer than {0} ms for the last {1} cluster event(s) before it stopped; {2} skipped",
                drain.toMillis(), queued, thread.getQueue().size());
        return false;
    }
}
