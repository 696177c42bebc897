package io.gencluster.dist.erlang;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * This node's mailboxes, each delivering to its handler on a thread of its own through a bounded
 * queue, so a handler never runs on a connection's reader. A connection's reader offers into a
 * full queue for at most {@link #OFFER_WAIT_MS} (pushing back on the sender through TCP), then
 * drops the message, logging once per burst: delivery is at most once, as in Erlang. The wait is
 * kept far below any net tick time, so a slow handler never makes a peer look dead.
 */
final class Mailboxes implements AutoCloseable {

    static final long OFFER_WAIT_MS = 200;
    private static final System.Logger LOG = System.getLogger(Mailboxes.class.getName());
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int capacity;
    private final String threadTag;
    private final Map<String, Mailbox> boxes = new ConcurrentHashMap<>();
    private volatile long lastUnknownLog;

    private final class Mailbox {
        final MessageHandler handler;
        final ThreadPoolExecutor thread;
        volatile long lastDropLog;

        Mailbox(String name, MessageHandler handler) {
            this.handler = handler;
            this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(capacity), r -> {
                Thread t = new Thread(r, "gencluster-mailbox-" + name + "-" + threadTag);
                t.setDaemon(true);
                return t;
            });
            thread.prestartCoreThread(); // offering straight into the queue needs a running worker
        }
    }

    Mailboxes(int capacity, String threadTag) {
        this.capacity = capacity;
        this.threadTag = threadTag;
    }

    void add(String name, MessageHandler handler) {
        Mailbox old = boxes.put(name, new Mailbox(name, handler));
        if (old != null) {
            old.thread.shutdown();
        }
    }

    void remove(String name, MessageHandler handler) {
        Mailbox box = boxes.get(name);
        if (box != null && box.handler == handler && boxes.remove(name, box)) {
            box.thread.shutdown();
        }
    }

    boolean has(String name) {
        return boxes.containsKey(name);
    }

    /** Delivers to {@code mailbox}, waiting a bounded time for room; unknown mailboxes and full ones drop (logged). */
    void deliver(NodeName from, String mailbox, byte[] payload) throws InterruptedException {
        Mailbox box = boxes.get(mailbox);
        long now = System.nanoTime();
        if (box == null) {
            if (now - lastUnknownLog > LOG_INTERVAL_NANOS) {
                lastUnknownLog = now;
                LOG.log(Level.WARNING, "message from {0} to mailbox ''{1}'' dropped: no such mailbox here", from, mailbox);
            }
            return;
        }
        Runnable task = () -> {
            try {
                box.handler.message(from, payload);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "handler of mailbox '" + mailbox + "' failed on a message from " + from, e);
            }
        };
        if (!box.thread.isShutdown() && !box.thread.getQueue().offer(task, OFFER_WAIT_MS, TimeUnit.MILLISECONDS)
                && now - box.lastDropLog > LOG_INTERVAL_NANOS) {
            box.lastDropLog = now;
            LOG.log(Level.WARNING, "mailbox ''{0}'' is {1} messages behind; dropping messages (from {2} and others)",
                    mailbox, String.valueOf(capacity), from);
        }
    }

    @Override
    public void close() {
        for (Mailbox box : boxes.values()) {
            box.thread.shutdownNow();
        }
        boxes.clear();
    }
}
