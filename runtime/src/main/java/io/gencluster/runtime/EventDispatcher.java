package io.gencluster.runtime;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Delivers events to the whiteboard {@link ClusterListener}s on one thread of its own, in order,
 * so a slow listener never stalls the refresh loop. The queue is bounded: when listeners fall
 * {@value #CAPACITY} events behind, further events are dropped and that is logged.
 */
final class EventDispatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventDispatcher.class.getName());
    static final int CAPACITY = 10_000;

    private final List<ClusterListener> listeners;
    private final ThreadPoolExecutor thread;

    EventDispatcher(List<ClusterListener> listeners) {
        this.listeners = listeners;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(CAPACITY), r -> {
            Thread t = new Thread(r, "gencluster-events");
            t.setDaemon(true);
            return t;
        });
    }

    void dispatch(ClusterEvent event) {
        try {
            thread.execute(() -> {
                for (ClusterListener l : listeners) {
                    try {
                        l.clusterEvent(event);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "cluster listener " + l + " failed on " + event, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.log(Level.WARNING, "cluster listeners are " + CAPACITY + " events behind; dropped {0}", event);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(2, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
