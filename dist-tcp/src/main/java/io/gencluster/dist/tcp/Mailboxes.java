package io.gencluster.dist.tcp;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The mailboxes of this node: each delivers to its handler on a thread of its own through a
 * bounded queue, so a handler never runs on a connection's reader and heartbeats go on whatever
 * it does. When a mailbox's queue is full, the connection stops reading for a bounded time —
 * which pushes back on the sender through TCP flow control, so a fast sender slows down instead
 * of losing messages — and only then drops the message (delivery is at most once), logging the
 * drop once per burst. While it waits, that connection's other mailboxes wait too; other
 * connections do not.
 */
final class Mailboxes implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Mailboxes.class.getName());
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int BATCH = 256;

    private final int capacity;
    private final String threadTag;
    private final Runnable roomMade;
    private final Map<String, Mailbox> boxes = new ConcurrentHashMap<>();
    private volatile long lastUnknownLog;

    /** One message waiting for its handler. */
    private record Delivery(NodeName from, byte[] payload) {
    }

    /** Marks the end of a mailbox's queue: its thread stops when it reaches it. */
    private static final Delivery END = new Delivery(null, null);

    /**
     * A mailbox: its handler, its bounded queue and the thread that empties it. The thread takes
     * every message waiting at once (up to {@link #BATCH}), so a burst costs one hand-off, not
     * one per message.
     */
    private final class Mailbox implements Runnable {
        final String name;
        final MessageHandler handler;
        final ArrayBlockingQueue<Delivery> queue = new ArrayBlockingQueue<>(capacity);
        final Thread thread;
        volatile boolean closing;
        /** A connection stopped reading because this queue was full: tell it once there is room. */
        volatile boolean awaited;
        volatile long lastDropLog;

        Mailbox(String name, MessageHandler handler) {
            this.name = name;
            this.handler = handler;
            this.thread = new Thread(this, "gencluster-mailbox-" + name + "-" + threadTag);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            List<Delivery> batch = new ArrayList<>(BATCH);
            try {
                while (true) {
                    batch.add(queue.take());
                    queue.drainTo(batch, BATCH - 1);
                    for (Delivery d : batch) {
                        if (d == END) {
                            return;
                        }
                        deliver(d);
                    }
                    batch.clear();
                    if (awaited) {
                        awaited = false;
                        roomMade.run(); // the waiting reader goes on now, not at its next retry
                    }
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // closed with the node: what is still queued is dropped (at most once)
            }
        }

        private void deliver(Delivery d) {
            try {
                handler.message(d.from, d.payload);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "handler of mailbox '" + name + "' failed on a message from " + d.from, e);
            }
        }

        /** Delivers what is queued, then stops. */
        void finish() {
            closing = true;
            queue.offer(END); // a full queue needs no marker: the thread sees closing once it is drained
        }

        /** Stops at once, dropping what is queued. */
        void stop() {
            closing = true;
            queue.clear();
            thread.interrupt();
        }
    }

    /** @param roomMade called on a mailbox's thread when a full queue it was asked to watch has room again */
    Mailboxes(int capacity, String threadTag, Runnable roomMade) {
        this.capacity = capacity;
        this.threadTag = threadTag;
        this.roomMade = roomMade;
    }

    void add(String name, MessageHandler handler) {
        Mailbox old = boxes.put(name, new Mailbox(name, handler));
        if (old != null) {
            old.finish();
        }
    }

    void remove(String name, MessageHandler handler) {
        Mailbox box = boxes.get(name);
        if (box != null && box.handler == handler && boxes.remove(name, box)) {
            box.finish();
        }
    }

    /**
     * Queues a message for its mailbox without waiting. A message for a mailbox that does not
     * exist is dropped (and logged once per burst).
     *
     * @return false when the mailbox's queue is full: the caller keeps the message, stops reading
     *     the connection (pushing back through TCP) and tries again, or gives up with {@link #drop}
     */
    boolean offer(NodeName from, String mailbox, byte[] payload) {
        Mailbox box = boxes.get(mailbox);
        if (box == null) {
            long now = System.nanoTime();
            if (now - lastUnknownLog > LOG_INTERVAL_NANOS) {
                lastUnknownLog = now;
                LOG.log(Level.WARNING, "message from {0} to mailbox ''{1}'' dropped: no such mailbox here", from, mailbox);
            }
            return true;
        }
        if (box.closing) {
            return true;
        }
        Delivery d = new Delivery(from, payload);
        if (box.queue.offer(d)) {
            return true;
        }
        box.awaited = true;
        return box.queue.offer(d); // room made before the flag was seen is not missed
    }

    /** Gives up on a message whose mailbox stayed full (delivery is at most once), logging once per burst. */
    void drop(NodeName from, String mailbox) {
        Mailbox box = boxes.get(mailbox);
        long now = System.nanoTime();
        if (box != null && now - box.lastDropLog > LOG_INTERVAL_NANOS) {
            box.lastDropLog = now;
            LOG.log(Level.WARNING, "mailbox ''{0}'' is {1} messages behind; dropping messages (from {2} and others)",
                    mailbox, capacity, from);
        }
    }

    @Override
    public void close() {
        for (Mailbox box : boxes.values()) {
            box.stop();
        }
        boxes.clear();
    }
}
