package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The selector thread's handles for everyone else: its selector, the tasks other threads hand it
 * (run at its next turn, in order), waking it, and its {@linkplain SelectorLead lead}, which tells
 * whether the caller runs the selector's turn now. What a turn does is {@link SelectorLoop}.
 */
final class IoThread {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());

    private final NodeName self;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final SelectorLead lead = new SelectorLead();
    private Selector selector;
    private Thread thread;
    private volatile boolean stopping;
    private volatile boolean woken; // see takeWakeup

    IoThread(NodeName self) {
        this.self = self;
    }

    Selector open() throws IOException {
        selector = Selector.open();
        return selector;
    }

    Selector selector() {
        return selector;
    }

    void start(Runnable loop) {
        thread = new Thread(loop, "gencluster-tcp-io-" + self);
        thread.setDaemon(true);
        thread.start();
    }

    boolean started() {
        return thread != null;
    }

    /** Whether the caller runs the selector's turn now: the selector thread, or a mailbox's thread {@linkplain SelectorLead assisting}. */
    boolean isCurrent() {
        return lead.held();
    }

    /** Whether tasks wait to be run. */
    boolean hasTasks() {
        return !tasks.isEmpty();
    }

    /** Runs {@code task} on the selector thread at its next turn. Any thread. */
    void post(Runnable task) {
        tasks.add(task);
        wakeup();
    }

    /** Ends a select in progress, so that the loop looks again at its tasks, parked connections and deadlines. */
    void wakeup() {
        woken = true;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    /** Selector thread: the tasks posted so far; one that throws is logged and the rest still run. */
    void runTasks() {
        Runnable task;
        while (!stopping && (task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "task on the selector thread of " + self + " failed; going on", e);
            }
        }
    }

    /**
     * Whether {@link #wakeup} was called since the last call of this, clearing it: a thread that
     * polls with {@code selectNow()}, which clears the selector's own wake-up, asks this instead.
     */
    boolean takeWakeup() {
        if (!woken) {
            return false;
        }
        woken = false;
        return true;
    }

    boolean stopping() {
        return stopping;
    }

    /** The loop ends at its next turn. */
    void stop() {
        stopping = true;
        wakeup();
        lead.wake();
    }

    void join(long millis) {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The selector closed, tasks not yet run dropped: the loop's last act, or a start that failed. */
    void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
        tasks.clear();
    }
}
