package io.gencluster.dist.kit;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One mailbox: its handler, its bounded queue (a ring that grows up to the capacity as it is
 * needed) and the thread that empties it, taking up to {@link Mailboxes#BATCH} messages at once.
 *
 * <p>The queue is bounded twice: in messages (the capacity) and in bytes (the budget). A message
 * counts its payload plus {@link #MESSAGE_OVERHEAD} bytes, and it counts until its handler has had
 * it, not only while it waits in the ring: the bytes of a batch the thread took are given back
 * when it comes for the next one. So what a mailbox holds on the heap never exceeds its budget,
 * with one exception: a single message larger than the whole budget is taken when the mailbox
 * holds nothing else, so that it is delivered rather than refused forever (the transport's
 * {@code max.frame.bytes} bounds it). The thread takes at most an eighth of the budget at once,
 * so that a slow handler gives room back in small steps and a waiting reader goes on soon.
 *
 * <p>A thread that emptied its queue after a batch of a few messages polls for the next message
 * for a moment, and may help the reader meanwhile ({@link MailboxThread}); after a stream's larger
 * batches it sleeps at once.
 */
final class Mailbox implements Box, Runnable {

    private static final System.Logger LOG = System.getLogger(Mailboxes.class.getName());
    private static final int INITIAL_RING = 1024;
    /** What a queued message costs beyond its payload: its array's header and its two slots in the ring. */
    static final int MESSAGE_OVERHEAD = 32;
    /**
     * The most messages of a batch after which the thread polls: requests and replies come one or a
     * few at a time; a stream comes in batches, and a thread polling through a stream takes the
     * cores its reader and sender need (64 B messages: a fifth fewer per second when it did).
     */
    private static final int POLL_AFTER_AT_MOST = 4;

    final String name;
    private final MessageHandler handler;
    private final HandlerFailures failures;
    final MailboxThread thread;
    volatile long lastDropLog;

    private final Mailboxes owner;
    private final int capacity;
    private final long budget;
    private final long takeBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final Condition room = lock.newCondition();
    // guarded by lock
    private NodeName[] froms;
    private byte[][] payloads;
    private int head;
    private int count;
    private long bytes; // what the ring holds plus inDelivery, counted as cost() says
    private long inDelivery; // bytes of the batch the thread took last, given back when it takes the next
    private long peak; // most bytes ever counted
    private int roomWaiters; // readers waiting in put(from, payload, wait) for room
    private boolean waiting; // the thread waits for messages
    private boolean awaited; // a reader stopped because the queue was full: tell it once there is room
    private boolean closing;
    private volatile int puts; // messages ever put, modulo 2^32: what a polling thread watches; written under lock
    // the owner's reading thread only
    boolean deferred; // in the owner's list of mailboxes to wake

    Mailbox(Mailboxes owner, String name, MessageHandler handler) {
        this.owner = owner;
        this.name = name;
        this.handler = handler;
        this.failures = new HandlerFailures(LOG, name, "queued");
        this.capacity = owner.capacity;
        this.budget = owner.budgetBytes;
        this.takeBytes = Math.max(1, budget / 8);
        int ring = Math.min(capacity, INITIAL_RING);
        froms = new NodeName[ring];
        payloads = new byte[ring][];
        this.thread = new MailboxThread(this, "gencluster-mailbox-" + name + "-" + owner.threadTag, owner.readerAssist,
                owner.pollNanos, owner.assistAfterAtMostNanos);
    }

    void start() {
        thread.start();
    }

    /**
     * Takes as many of {@code batch[start..end)} as there is room for; returns how many. The
     * thread is woken if {@code wake}, or when enough are waiting, or the queue is full; else the
     * owner is asked to wake it at the end of the read.
     */
    @Override
    public int put(NodeName from, byte[][] batch, int start, int end, boolean wake) {
        lock.lock();
        try {
            if (closing) {
                return end - start; // dropped: the mailbox is going away
            }
            int most = Math.min(end - start, capacity - count);
            int n = 0;
            long added = 0;
            while (n < most) {
                long size = cost(batch[start + n]);
                if (bytes + added > 0 && bytes + added + size > budget) {
                    break; // over the byte budget: the rest waits with the caller
                }
                added += size;
                n++;
            }
            bytes += added;
            peak = Math.max(peak, bytes);
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
            if (n > 0) {
                puts += n; // under lock: one writer at a time
            }
            if (n < end - start) {
                awaited = true;
                wake = true; // full: only the thread can make room
            }
            if (count > 0 && waiting) {
                if (wake || count >= owner.wakeAt) {
                    nonEmpty.signal();
                } else if (!deferred) {
                    deferred = true;
                    owner.defer(this);
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes one message, waking the thread, and waits up to {@code waitNanos} for room while the
     * queue is full (in messages, or in bytes for this one).
     *
     * @return false when the queue stayed full: the message was not taken
     */
    @Override
    public boolean put(NodeName from, byte[] payload, long waitNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long left = waitNanos;
            long size = cost(payload);
            while ((count == capacity || bytes > 0 && bytes + size > budget) && !closing) {
                if (left <= 0) {
                    return false;
                }
                roomWaiters++;
                try {
                    left = room.awaitNanos(left);
                } finally {
                    roomWaiters--;
                }
            }
            return put(from, new byte[][] {payload}, 0, 1, true) == 1;
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

    /** What {@code payload} counts against the byte budget. */
    private static long cost(byte[] payload) {
        return (long) payload.length + MESSAGE_OVERHEAD;
    }

    /** Bytes counted now: queued, and taken by the thread but not yet all delivered. */
    @Override
    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** The most bytes ever counted at once. */
    @Override
    public long peakBytes() {
        lock.lock();
        try {
            return peak;
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
        int n = 0; // messages in the batch taken last
        NodeName[] takenFrom = new NodeName[Mailboxes.BATCH];
        byte[][] taken = new byte[Mailboxes.BATCH][];
        try {
            while (true) {
                boolean wakeReader;
                lock.lock();
                try {
                    if (inDelivery > 0) {
                        bytes -= inDelivery; // the last batch was delivered: its room is free now
                        inDelivery = 0;
                        if (roomWaiters > 0) {
                            room.signalAll();
                        }
                    }
                    // awaited with nothing queued: the reader waits for the room just given back
                    boolean polled = n > POLL_AFTER_AT_MOST; // a stream's batch: the reader wakes the thread once per read
                    while (count == 0 && !awaited) {
                        if (closing) {
                            return;
                        }
                        if (!polled && owner.pollNanos > 0) {
                            polled = true; // once per empty queue: then it sleeps until signalled
                            int seen = puts;
                            lock.unlock();
                            try {
                                thread.poll(seen);
                            } finally {
                                lock.lock();
                            }
                            continue;
                        }
                        thread.stopsHelping();
                        waiting = true;
                        try {
                            nonEmpty.await();
                        } finally {
                            waiting = false;
                        }
                    }
                    int ring = payloads.length;
                    int most = Math.min(count, Mailboxes.BATCH);
                    n = 0;
                    for (int at = head; n < most; n++) {
                        long size = cost(payloads[at]);
                        if (n > 0 && inDelivery + size > takeBytes) {
                            break;
                        }
                        inDelivery += size;
                        if (++at == ring) {
                            at = 0; // no division per message
                        }
                    }
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
                    if (roomWaiters > 0) {
                        room.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
                if (wakeReader) {
                    owner.roomMade.run(); // the waiting reader goes on now, not at its next retry
                }
                long began = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    deliver(takenFrom[i], taken[i]);
                    taken[i] = null;
                }
                thread.delivered(System.nanoTime() - began);
            }
        } catch (InterruptedException e) {
            // stopped with the node: what is still queued is dropped (at most once)
        } finally {
            thread.stopsHelping();
        }
    }

    /** Messages ever put, modulo 2^32: what a polling thread watches. */
    int puts() {
        return puts;
    }

    private void deliver(NodeName from, byte[] payload) {
        try {
            handler.message(from, payload);
        } catch (RuntimeException e) {
            failures.failed(from, e, System.nanoTime());
        }
    }

    @Override
    public MessageHandler handler() {
        return handler;
    }

    /** Delivers what is queued, then stops. */
    @Override
    public void finish() {
        lock.lock();
        try {
            closing = true;
            nonEmpty.signal();
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops at once, dropping what is queued. */
    @Override
    public Thread stop() {
        lock.lock();
        try {
            closing = true;
            Arrays.fill(payloads, null);
            Arrays.fill(froms, null);
            count = 0;
            bytes = 0;
            inDelivery = 0;
            room.signalAll();
        } finally {
            lock.unlock();
        }
        thread.interrupt();
        return thread;
    }
}
