package io.gencluster.dist.kit;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Tells a node's cluster listeners about nodes coming up and going down, and completes connect
 * results, on one event thread of its own: a slow or failing listener never stalls the thread that
 * noticed the change, every listener sees the events in the order they were emitted, and a connect
 * settled after a NODE_UP completes only once that event was delivered. The queue is bounded: an
 * event past it is dropped and logged. Knows listeners, events and futures only, nothing of the
 * transport that emits them.
 *
 * <p>Any thread may emit; a caller that needs the events of one node in order emits them under
 * its own lock.
 */
public final class NodeEvents {

    private final CopyOnWriteArrayList<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor thread;
    private final int maxQueued;
    private final System.Logger log;
    /** The event thread now, or the last one: it ends when idle and a new one starts with the next event. */
    private volatile Thread eventThread;

    /**
     * @param threads makes the event thread (started on the first event, ended after 10 s idle)
     * @param maxQueued events and connect results queued at most
     * @param log where a failing listener and a dropped event are reported (each transport keeps its own)
     */
    public NodeEvents(ThreadFactory threads, int maxQueued, System.Logger log) {
        this.maxQueued = maxQueued;
        this.log = log;
        this.thread = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(maxQueued), r -> {
            Thread t = threads.newThread(r);
            eventThread = t;
            return t;
        });
        this.thread.allowCoreThreadTimeOut(true);
    }

    public void addListener(ClusterListener listener) {
        listeners.add(listener);
    }

    public void removeListener(ClusterListener listener) {
        listeners.remove(listener);
    }

    /**
     * Queues {@code event} for every listener; one that throws is logged and the others still get
     * it. Once closed the event is dropped: nobody listens any more.
     */
    public void emit(ClusterEvent event) {
        try {
            thread.execute(() -> deliver(event));
        } catch (RejectedExecutionException e) {
            if (!thread.isShutdown()) {
                log.log(Level.WARNING, "cluster listeners are " + maxQueued + " events behind; dropped {0}", event);
            }
        }
    }

    private void deliver(ClusterEvent event) {
        for (ClusterListener l : listeners) {
            try {
                l.clusterEvent(event);
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "cluster listener " + l + " failed on " + event, e);
            }
        }
    }

    /**
     * Completes {@code future}, normally when {@code error} is null, on the event thread after the
     * events emitted before. On the caller's thread when the queue is full or closed: completing
     * late, or never, would break the caller's timeout.
     */
    public void settle(CompletableFuture<Void> future, Throwable error) {
        Runnable outcome = () -> {
            if (error == null) {
                future.complete(null);
            } else {
                future.completeExceptionally(error);
            }
        };
        try {
            thread.execute(outcome);
        } catch (RejectedExecutionException fullOrClosed) {
            outcome.run();
        }
    }

    /**
     * Takes no more events, delivers those queued, and waits at most {@code wait} for that — not at
     * all on the event thread itself, where a listener may be closing the node.
     */
    public void close(Duration wait) {
        thread.shutdown();
        if (Thread.currentThread() == eventThread) {
            return;
        }
        try {
            thread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
