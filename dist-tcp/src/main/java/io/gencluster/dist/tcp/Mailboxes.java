package io.gencluster.dist.tcp;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The mailboxes of this node: each delivers to its handler on a thread of its own through a
 * bounded queue, so a handler never runs on a connection's reader and heartbeats go on whatever
 * it does. When a mailbox's queue is full, the connection stops reading for a bounded time —
 * which pushes back on the sender through TCP flow control, so a fast sender slows down instead
 * of losing messages — and only then drops the message (delivery is at most once), logging the
 * drop once per burst. While it waits, that connection's other mailboxes wait too; other
 * connections do not.
 *
 * <p>Messages move in batches both ways: a reader hands over every message of a read that goes to
 * one mailbox at once, and the mailbox's thread takes every waiting message at once; each costs
 * one lock and at most one wake-up, not one per message. In the middle of a long read the reader
 * does not wake a mailbox's thread for each batch (a thread woken on a busy machine preempts the
 * reader each time), only at the end of the read or once {@link #WAKE_AT} messages wait.
 */
final class Mailboxes {

    private static final System.Logger LOG = System.getLogger(Mailboxes.class.getName());
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Most messages a mailbox's thread takes at once. */
    static final int BATCH = 1024;
    private static final int INITIAL_RING = 1024;
    /** Messages waiting that wake a mailbox's thread even in the middle of a read. */
    private static final int WAKE_AT = 4 * BATCH;

    private final int capacity;
    private final int wakeAt;
    private final String threadTag;
    private final Runnable roomMade;
    private final Map<String, Mailbox> boxes = new ConcurrentHashMap<>();
    /** Mailboxes given messages without a wake-up, by the one reading thread, which alone uses this. */
    private final List<Mailbox> unwoken = new java.util.ArrayList<>();
    private volatile long lastUnknownLog;

    /**
     * A mailbox: its handler, its bounded queue (a ring that grows up to the capacity as it is
     * needed) and the thread that empties it.
     */
    private final class Mailbox implements Runnable {
        final String name;
        final MessageHandler handler;
        final Thread thread;
        volatile long lastDropLog;

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition nonEmpty = lock.newCondition();
        // guarded by lock
        private NodeName[] froms;
        private byte[][] payloads;
        private int head;
        private int count;
        private boolean waiting; // the thread waits for messages
        private boolean awaited; // a reader stopped because the queue was full: tell it once there is room
        private boolean closing;
        private boolean deferred; // in unwoken (the reader's thread only)

        Mailbox(String name, MessageHandler handler) {
            this.name = name;
            this.handler = handler;
            int ring = Math.min(capacity, INITIAL_RING);
            froms = new NodeName[ring];
            payloads = new byte[ring][];
            this.thread = new Thread(this, "gencluster-mailbox-" + name + "-" + threadTag);
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * Takes as many of {@code batch[start..end)} as there is room for; returns how many. The
         * thread is woken if {@code wake}, or when enough are waiting, or the queue is full.
         */
        int put(NodeName from, byte[][] batch, int start, int end, boolean wake) {
            lock.lock();
            try {
                if (closing) {
                    return end - start; // dropped: the mailbox is going away
                }
                int n = Math.min(end - start, capacity - count);
                if (count + n > payloads.length) {
                    grow(count + n);
                }
                int ring = payloads.length;
                int tail = (head + count) % ring;
                int first = Math.min(n, ring - tail);
                System.arraycopy(batch, start, payloads, tail, first);
                System.arraycopy(batch, start + first, payloads, 0, n - first);
                Arrays.fill(froms, tail, tail + first, from);
                Arrays.fill(froms, 0, n - first, from);
                count += n;
                if (n < end - start) {
                    awaited = true;
                    wake = true; // full: only the thread can make room
                }
                if (count > 0 && waiting) {
                    if (wake || count >= wakeAt) {
                        nonEmpty.signal();
                    } else if (!deferred) {
                        deferred = true;
                        unwoken.add(this);
                    }
                }
                return n;
            } finally {
                lock.unlock();
            }
        }

        /** Wakes the thread if messages wait for it (a put that did not). */
        void wake() {
            deferred = false;
            lock.lock();
            try {
                if (count > 0 && waiting) {
                    nonEmpty.signal();
                }
            } finally {
                lock.unlock();
            }
        }

        private void grow(int needed) {
            int size = payloads.length;
            while (size < needed) {
                size = (int) Math.min(capacity, size * 2L);
            }
            NodeName[] f = new NodeName[size];
            byte[][] p = new byte[size][];
            for (int i = 0; i < count; i++) {
                int at = (head + i) % payloads.length;
                f[i] = froms[at];
                p[i] = payloads[at];
            }
            froms = f;
            payloads = p;
            head = 0;
        }

        @Override
        public void run() {
            NodeName[] takenFrom = new NodeName[BATCH];
            byte[][] taken = new byte[BATCH][];
            try {
                while (true) {
                    int n;
                    boolean wakeReader;
                    lock.lock();
                    try {
                        while (count == 0) {
                            if (closing) {
                                return;
                            }
                            waiting = true;
                            try {
                                nonEmpty.await();
                            } finally {
                                waiting = false;
                            }
                        }
                        n = Math.min(count, BATCH);
                        int ring = payloads.length;
                        int first = Math.min(n, ring - head);
                        System.arraycopy(payloads, head, taken, 0, first);
                        System.arraycopy(payloads, 0, taken, first, n - first);
                        System.arraycopy(froms, head, takenFrom, 0, first);
                        System.arraycopy(froms, 0, takenFrom, first, n - first);
                        Arrays.fill(payloads, head, head + first, null);
                        Arrays.fill(payloads, 0, n - first, null);
                        head = (head + n) % ring;
                        count -= n;
                        wakeReader = awaited;
                        awaited = false;
                    } finally {
                        lock.unlock();
                    }
                    if (wakeReader) {
                        roomMade.run(); // the waiting reader goes on now, not at its next retry
                    }
                    for (int i = 0; i < n; i++) {
                        deliver(takenFrom[i], taken[i]);
                        taken[i] = null;
                    }
                }
            } catch (InterruptedException e) {
                // stopped with the node: what is still queued is dropped (at most once)
            }
        }

        private void deliver(NodeName from, byte[] payload) {
            try {
                handler.message(from, payload);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "handler of mailbox '" + name + "' failed on a message from " + from, e);
            }
        }

        /** Delivers what is queued, then stops. */
        void finish() {
            lock.lock();
            try {
                closing = true;
                nonEmpty.signal();
            } finally {
                lock.unlock();
            }
        }

        /** Stops at once, dropping what is queued. */
        void stop() {
            lock.lock();
            try {
                closing = true;
                Arrays.fill(payloads, null);
                Arrays.fill(froms, null);
                count = 0;
            } finally {
                lock.unlock();
            }
            thread.interrupt();
        }
    }

    /** @param roomMade called on a mailbox's thread when a full queue it was asked to watch has room again */
    Mailboxes(int capacity, String threadTag, Runnable roomMade) {
        this.capacity = capacity;
        this.wakeAt = Math.min(WAKE_AT, capacity);
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
     * Queues the messages {@code payloads[start..end)} from one node to one mailbox, in order,
     * without waiting. Messages for a mailbox that does not exist are dropped (and logged once
     * per burst).
     *
     * @return how many were taken (or dropped); fewer than offered when the mailbox's queue is
     *     full: the caller keeps the rest, stops reading the connection (pushing back through TCP)
     *     and offers them again once told there is room, or gives up with {@link #drop}
     */
    int offer(NodeName from, String mailbox, byte[][] payloads, int start, int end, boolean wake) {
        Mailbox box = boxes.get(mailbox);
        if (box == null) {
            long now = System.nanoTime();
            if (now - lastUnknownLog > LOG_INTERVAL_NANOS) {
                lastUnknownLog = now;
                LOG.log(Level.WARNING, "{0,number,#} message(s) from {1} to mailbox ''{2}'' dropped: no such mailbox here",
                        end - start, from, mailbox);
            }
            return end - start;
        }
        return box.put(from, payloads, start, end, wake);
    }

    /** Wakes the threads of the mailboxes that {@link #offer} left without a wake-up. Reading thread only. */
    void wakeDeferred() {
        for (int i = 0; i < unwoken.size(); i++) {
            unwoken.get(i).wake();
        }
        unwoken.clear();
    }

    /** Gives up on messages whose mailbox stayed full (delivery is at most once), logging once per burst. */
    void drop(NodeName from, String mailbox, int messages) {
        Mailbox box = boxes.get(mailbox);
        long now = System.nanoTime();
        if (box != null && now - box.lastDropLog > LOG_INTERVAL_NANOS) {
            box.lastDropLog = now;
            LOG.log(Level.WARNING, "mailbox ''{0}'' is {1,number,#} messages behind; dropped {2,number,#} from {3} (and maybe more from others)",
                    mailbox, capacity, messages, from);
        }
    }

    /** Stops every mailbox's thread, dropping what is queued; returns the threads, for the caller to join. */
    List<Thread> close() {
        List<Mailbox> all = List.copyOf(boxes.values());
        boxes.clear();
        List<Thread> threads = new java.util.ArrayList<>(all.size());
        for (Mailbox box : all) {
            box.stop();
            threads.add(box.thread);
        }
        return threads;
    }
}
