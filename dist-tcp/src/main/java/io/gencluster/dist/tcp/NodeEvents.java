package io.gencluster.dist.tcp;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import java.lang.System.Logger.Level;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Delivers a node's cluster events to its listeners on one event thread, in the order they were
 * emitted, so that a slow listener never stalls the thread that emits. Other callbacks that must
 * run neither on an I/O thread nor under a lock (completing a connect) run there too, after the
 * events emitted before them. The queue is bounded: an event past it is dropped and logged.
 *
 * <p>Any thread may emit; a caller that needs the events of one node in order emits them under
 * its own lock.
 */
public final class NodeEvents {

    private final CopyOnWriteArrayList<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor thread;
    private final String threadNamePrefix;
    private final int maxQueued;
    private final System.Logger log;

    /**
     * @param threads makes the event thread (started on the first event, ended after 10 s idle)
     * @param threadNamePrefix how the names {@code threads} gives begin: a listener closing a node
     *     from an event thread is not waited for
     * @param maxQueued events (and callbacks) queued at most
     * @param log where a failing listener and a dropped event are reported
     */
    public NodeEvents(ThreadFactory threads, String threadNamePrefix, int maxQueued, System.Logger log) {
        this.threadNamePrefix = threadNamePrefix;
        this.maxQueued = maxQueued;
        this.log = log;
        this.thread = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(maxQueued), threads);
        this.thread.allowCoreThreadTimeOut(true);
    }

    public void addListener(ClusterListener listener) {
        listeners.add(listener);
    }

    public void removeListener(ClusterListener listener) {
        listeners.remove(listener);
    }

    /** Queues {@code event} for every listener; one that throws is logged and the others still get it. */
    public void emit(ClusterEvent event) {
        try {
            thread.execute(() -> {
                for (ClusterListener l : listeners) {
                    try {
                        l.clusterEvent(event);
                    } catch (RuntimeException e) {
                        log.log(Level.WARNING, "listener " + l + " failed on " + event, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            if (!thread.isShutdown()) {
                log.log(Level.WARNING, "listeners are " + maxQueued + " events behind; dropped {0}", event);
            }
        }
    }

    /**
     * Runs {@code callback} on the event thread, after the events emitted before it.
     *
     * @throws RejectedExecutionException when the queue is full or the events have stopped
     */
    public void execute(Runnable callback) {
        thread.execute(callback);
    }

    /** Takes no more events; those queued are still delivered. */
    public void shutdown() {
        thread.shutdown();
    }

    /** Waits up to {@code millis} for the queued events, unless called from an event thread (a listener may close the node). */
    public void awaitTermination(long millis) throws InterruptedException {
        if (!Thread.currentThread().getName().startsWith(threadNamePrefix)) {
            thread.awaitTermination(millis, TimeUnit.MILLISECONDS);
        }
    }
}
