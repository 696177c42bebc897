package io.gencluster.dist.erlang;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Tells cluster listeners about nodes coming up and going down, and completes connect results,
 * on one event thread of its own: a slow or failing listener never stalls the thread that noticed
 * the change, every listener sees the events in the order they were emitted, and a connect
 * settled after a NODE_UP completes only once that event was delivered. Knows listeners, events
 * and futures only, nothing of the transport that emits them.
 */
final class NodeEvents {

    private static final System.Logger LOG = System.getLogger(NodeEvents.class.getName());

    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;
    private volatile Thread eventThread;

    /** @param threadName the name of the event thread (a daemon) */
    NodeEvents(String threadName) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            eventThread = t;
            return t;
        });
    }

    void addListener(ClusterListener listener) {
        listeners.add(listener);
    }

    void removeListener(ClusterListener listener) {
        listeners.remove(listener);
    }

    /** Queues {@code event} for every listener; once closed it is dropped: nobody listens any more. */
    void emit(ClusterEvent event) {
        try {
            thread.execute(() -> deliver(event));
        } catch (RejectedExecutionException closed) {
            // closed: nobody listens any more
        }
    }

    private void deliver(ClusterEvent event) {
        for (ClusterListener l : listeners) {
            try {
                l.clusterEvent(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cluster listener " + l + " failed on " + event, e);
            }
        }
    }

    /**
     * Completes {@code futures}, normally when {@code error} is null, on the event thread after the
     * events emitted before; on the caller's thread once closed, so that no caller waits on a thread
     * that is gone.
     */
    void settle(Collection<CompletableFuture<Void>> futures, Throwable error) {
        Runnable outcome = () -> futures.forEach(f -> {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        });
        try {
            thread.execute(outcome);
        } catch (RejectedExecutionException closed) {
            outcome.run();
        }
    }

    /**
     * Delivers what is queued, then stops the event thread, waiting for it at most {@code wait}
     * (not at all when a listener closes the transport from the event thread itself).
     */
    void close(Duration wait) {
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
