package io.gencluster.dist.kit;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The mailboxes of a node: each delivers to its handler on a thread of its own through a queue
 * bounded in messages and in bytes, so a handler never runs on a connection's reader and
 * heartbeats go on whatever it does, and a slow handler fed large messages holds at most its
 * byte budget on the heap (see {@link Mailbox} for what a message counts). A mailbox added
 * {@link #addInline inline} has neither: its handler runs on the reader, which it holds up (see
 * {@link InlineMailbox}).
 * Delivery is at most once: a message for a mailbox that does not exist, or whose queue stayed
 * full, is dropped, and the drop logged once per burst.
 *
 * <p>A reader hands messages over in one of two ways. A reader that must never block (one
 * selector thread for every connection) {@link #offer offers} what a read brought and, when a
 * queue is full (either bound), stops reading that connection for a bounded time — which pushes back on the
 * sender through TCP flow control, so a fast sender slows down instead of losing messages — then
 * offers the rest again or {@link #drop drops} it. While it waits, that connection's other
 * mailboxes wait too; other connections do not. A reader with a thread per connection
 * {@link #deliver delivers} one message at a time, waiting at most {@link #OFFER_WAIT_MS} for
 * room, far below any heartbeat timeout, so a slow handler never makes a peer look dead.
 *
 * <p>Messages move in batches both ways: an offer hands over every message of a read that goes to
 * one mailbox at once, and the mailbox's thread takes every waiting message at once; each costs
 * one lock and at most one wake-up, not one per message. In the middle of a long read the reader
 * does not wake a mailbox's thread for each batch (a thread woken on a busy machine preempts the
 * reader each time), only at the end of the read or once {@code 4 * BATCH} messages wait.
 *
 * <p>A mailbox's thread that polls for its next message, after its handler {@linkplain #sending
 * sent one}, may help a reader that lets it ({@link ReaderAssist}): it reads what is ready itself,
 * and delivers a message for its own mailbox, an answer perhaps, with no hand-off between threads.
 */
public final class Mailboxes {

    /** Most messages a mailbox's thread takes at once. */
    public static final int BATCH = 1024;
    /** Longest wait of {@link #deliver} for room in a full queue, in milliseconds. */
    public static final long OFFER_WAIT_MS = 200;

    private static final System.Logger LOG = System.getLogger(Mailboxes.class.getName());
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Messages waiting that wake a mailbox's thread even in the middle of a read. */
    private static final int WAKE_AT = 4 * BATCH;

    final int capacity;
    final long budgetBytes;
    final int wakeAt;
    final String threadTag;
    final Runnable roomMade;
    final long pollNanos;
    final ReaderAssist readerAssist;
    /** How quick a batch must be for its thread to help the reader after it; tests on a slow machine widen it. */
    volatile long assistAfterAtMostNanos = MailboxThread.ASSIST_AFTER_AT_MOST_NANOS;
    private final Map<String, Box> boxes = new ConcurrentHashMap<>();
    /** Mailboxes given messages without a wake-up, by the one reading thread, which alone uses this. */
    private final List<Mailbox> unwoken = new ArrayList<>();
    private volatile long lastUnknownLog;

    /**
     * @param capacity messages each mailbox queues at most
     * @param budgetBytes bytes each mailbox holds at most, queued or being delivered (a single
     *     larger message is taken when the mailbox holds nothing else)
     * @param threadTag ends the name of every mailbox thread (the node's name)
     * @param roomMade called on a mailbox's thread when a full queue that an {@link #offer} could
     *     not fill has room again
     * @param pollNanos how long a mailbox's thread that emptied its queue polls for the next
     *     message before it sleeps (0: not at all); see {@link MailboxThread}
     */
    public Mailboxes(int capacity, long budgetBytes, String threadTag, Runnable roomMade, long pollNanos) {
        this(capacity, budgetBytes, threadTag, roomMade, pollNanos, ReaderAssist.NONE);
    }

    /**
     * As {@link #Mailboxes(int, long, String, Runnable, long)}, with a reader that a polling
     * mailbox's thread helps.
     *
     * @param readerAssist the reader a mailbox's thread helps while it polls
     * @since 1.4
     */
    public Mailboxes(int capacity, long budgetBytes, String threadTag, Runnable roomMade, long pollNanos, ReaderAssist readerAssist) {
        this.readerAssist = readerAssist;
        this.capacity = capacity;
        this.budgetBytes = budgetBytes;
        this.wakeAt = Math.min(WAKE_AT, capacity);
        this.threadTag = threadTag;
        this.roomMade = roomMade;
        this.pollNanos = pollNanos;
    }

    /** Mailboxes whose threads sleep as soon as their queues are empty. */
    public Mailboxes(int capacity, long budgetBytes, String threadTag, Runnable roomMade) {
        this(capacity, budgetBytes, threadTag, roomMade, 0);
    }

    /** Mailboxes for readers that {@link #deliver}, which need not be told of room. */
    public Mailboxes(int capacity, long budgetBytes, String threadTag) {
        this(capacity, budgetBytes, threadTag, () -> { });
    }

    /** Delivers messages for {@code name} to {@code handler} from now on; a mailbox it replaces delivers what it holds, then stops. */
    public void add(String name, MessageHandler handler) {
        Mailbox box = new Mailbox(this, name, handler);
        box.start();
        replace(name, box);
    }

    /**
     * Delivers messages for {@code name} to {@code handler} from now on, on the reading thread
     * ({@link MessageHandler#DELIVERY_INLINE}); a queued mailbox it replaces delivers what it
     * holds on its own thread, then stops.
     */
    public void addInline(String name, MessageHandler handler) {
        replace(name, new InlineMailbox(name, handler));
    }

    private void replace(String name, Box box) {
        Box old = boxes.put(name, box);
        if (old != null) {
            old.finish();
        }
    }

    /** Removes mailbox {@code name} if {@code handler} still serves it; it delivers what it holds, then stops. */
    public void remove(String name, MessageHandler handler) {
        Box box = boxes.get(name);
        if (box != null && box.handler() == handler && boxes.remove(name, box)) {
            box.finish();
        }
    }

    public boolean has(String name) {
        return boxes.containsKey(name);
    }

    /** Bytes mailbox {@code name} counts against its budget now (queued or being delivered); 0 when there is no such mailbox. */
    public long queuedBytes(String name) {
        Box box = boxes.get(name);
        return box == null ? 0 : box.bytes();
    }

    /** The most bytes mailbox {@code name} has counted at once since it was added; 0 when there is no such mailbox. */
    public long peakBytes(String name) {
        Box box = boxes.get(name);
        return box == null ? 0 : box.peakBytes();
    }

    /**
     * Queues the messages {@code payloads[start..end)} from one node to one mailbox, in order,
     * without waiting. Messages for a mailbox that does not exist are dropped (and logged once
     * per burst). Only one thread may offer: the one that calls {@link #wakeDeferred}.
     *
     * @param wake wake the mailbox's thread now, rather than at {@link #wakeDeferred}
     * @return how many were taken (or dropped); fewer than offered when the mailbox's queue is
     *     full, in messages or in bytes: the caller keeps the rest, stops reading the connection (pushing back through TCP)
     *     and offers them again once told there is room, or gives up with {@link #drop}
     */
    public int offer(NodeName from, String mailbox, byte[][] payloads, int start, int end, boolean wake) {
        Box box = boxes.get(mailbox);
        if (box == null) {
            unknown(from, mailbox, end - start);
            return end - start;
        }
        return box.put(from, payloads, start, end, wake);
    }

    /** Wakes the threads of the mailboxes that {@link #offer} left without a wake-up. Reading thread only. */
    public void wakeDeferred() {
        for (int i = 0; i < unwoken.size(); i++) {
            unwoken.get(i).wake();
        }
        unwoken.clear();
    }

    /**
     * Queues one message, waiting up to {@link #OFFER_WAIT_MS} for room in a full queue, then
     * dropping it. Messages for a mailbox that does not exist are dropped. Drops are logged once
     * per burst. Any number of threads may deliver at once.
     *
     * @throws InterruptedException when the reader is stopped while it waits for room
     */
    public void deliver(NodeName from, String mailbox, byte[] payload) throws InterruptedException {
        Box box = boxes.get(mailbox);
        if (box == null) {
            unknown(from, mailbox, 1);
        } else if (!box.put(from, payload, TimeUnit.MILLISECONDS.toNanos(OFFER_WAIT_MS))) {
            drop(from, mailbox, 1);
        }
    }

    /** Gives up on messages whose mailbox stayed full (delivery is at most once), logging once per burst. */
    public void drop(NodeName from, String mailbox, int messages) {
        long now = System.nanoTime();
        if (boxes.get(mailbox) instanceof Mailbox box && now - box.lastDropLog > LOG_INTERVAL_NANOS) {
            box.lastDropLog = now;
            LOG.log(Level.WARNING, "mailbox ''{0}'' is full ({1,number,#} messages or {2,number,#} bytes behind); dropped {3,number,#} from {4}"
                    + " (and maybe more from others)", mailbox, capacity, budgetBytes, messages, from);
        }
    }

    private void unknown(NodeName from, String mailbox, int messages) {
        long now = System.nanoTime();
        if (now - lastUnknownLog > LOG_INTERVAL_NANOS) {
            lastUnknownLog = now;
            LOG.log(Level.WARNING, "{0,number,#} message(s) from {1} to mailbox ''{2}'' dropped: no such mailbox here",
                    messages, from, mailbox);
        }
    }

    /** Stops every mailbox's thread, dropping what is queued; returns the threads, for the caller to join. */
    public List<Thread> close() {
        List<Box> all = List.copyOf(boxes.values());
        boxes.clear();
        List<Thread> threads = new ArrayList<>(all.size());
        for (Box box : all) {
            Thread t = box.stop();
            if (t != null) {
                threads.add(t);
            }
        }
        return threads;
    }

    /**
     * The calling thread sends a message. A transport with a {@link ReaderAssist} calls this for
     * every message sent: a mailbox's thread whose handler sent one helps the reader when it polls
     * next, since an answer may come for it. Costs any thread next to nothing.
     *
     * @since 1.4
     */
    public static void sending() {
        MailboxThread.noteSend();
    }

    /** Remembers {@code box} for {@link #wakeDeferred}. Reading thread only. */
    void defer(Mailbox box) {
        unwoken.add(box);
    }
}
