package io.gencluster.dist.tcp;

import io.gencluster.dist.kit.ReaderAssist;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Which thread runs the selector's turns: the selector thread, or for a moment a mailbox's thread
 * that polls for its next message. What this transport calls "selector thread only" belongs to
 * whichever thread holds the lead; passing the lead on (a volatile write, then a compare-and-set)
 * orders all that one holder did before what the next one does.
 *
 * <p>A mailbox's thread that emptied its queue after a few messages, its handler having sent a
 * message, polls a moment for the answer (see the mailboxes). The answer often comes within
 * microseconds; if the selector thread read it, handing it to the mailbox's thread would cost a
 * microsecond or more, and two threads would poll, a core each. So while it polls, the mailbox's
 * thread {@linkplain #turn runs the selector's turns itself} when the lead is free: it reads the
 * answer (and whatever else is ready, for any mailbox) and delivers it on its own thread, with no
 * hand-off. Seeing a mailbox's thread poll, the selector thread {@linkplain #stepAside steps
 * aside}: it frees the lead and sleeps, so that one thread polls, not two. It takes the lead back
 * as soon as the mailbox's thread stops helping: it goes to sleep, or finds that its handler took
 * long ({@link #done}); if that handler blocks without warning (it runs without the lead), once
 * no mailbox's thread has polled for {@link #ASIDE_NANOS}: other connections then wait at most
 * twice that. A mailbox's thread helps only after a batch its handler took little time over (the
 * mailboxes say how little).
 */
final class SelectorLead implements ReaderAssist {

    /**
     * How long the selector thread stays aside without hearing from a polling mailbox's thread. Each
     * time it wakes, it preempts a polling thread: waking every millisecond, about one round trip
     * in a hundred between two JVMs was held up, and the 64 B p99 was 36–42 µs against 15–27 µs
     * waking every 10 ms (BENCHMARKS.md).
     */
    static final long ASIDE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Holds the lead until the selector thread starts: no mailbox's thread takes it before there is a selector. */
    private static final Object NOT_STARTED = new Object();

    private final AtomicReference<Object> holder = new AtomicReference<>(NOT_STARTED);
    private volatile long lastPoll = System.nanoTime() - 2 * ASIDE_NANOS; // when a mailbox's thread last polled
    private volatile Thread aside; // the selector thread while it stands aside
    private volatile long assistedTurns; // turns of mailbox threads that found something ready; written by the holder only
    private BooleanSupplier turns = () -> false;

    /** What a mailbox's thread runs holding the lead ({@link SelectorLoop#assistTurn}); set before any such thread starts. */
    void turns(BooleanSupplier turns) {
        this.turns = turns;
    }

    /** The selector thread starts: it leads. */
    void start() {
        holder.set(Thread.currentThread());
    }

    /** Whether the calling thread holds the lead: it runs the selector's turn now. */
    boolean held() {
        return holder.get() == Thread.currentThread();
    }

    /** Selector thread, leading: whether a mailbox's thread polls now, ready to run the turns. */
    boolean assisted(long now) {
        return now - lastPoll < ASIDE_NANOS;
    }

    /**
     * Selector thread, leading: frees the lead and sleeps for {@link #ASIDE_NANOS} at most (less when
     * {@linkplain #wake woken}), then takes the lead back, waiting for a turn in progress to end.
     */
    void stepAside() {
        Thread self = Thread.currentThread();
        aside = self;
        holder.set(null);
        LockSupport.parkNanos(this, ASIDE_NANOS);
        aside = null;
        while (!holder.compareAndSet(null, self)) {
            Thread.yield(); // a mailbox's thread is in a turn: microseconds
        }
    }

    /** Ends the selector thread's step aside now, if it stands aside (the loop stops, or no one polls). */
    void wake() {
        Thread t = aside;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * A mailbox's thread that polls: runs a turn of the selector if the lead is free.
     *
     * @return whether the turn found anything ready; false when another thread leads
     */
    @Override
    public boolean turn() {
        lastPoll = System.nanoTime();
        if (!holder.compareAndSet(null, Thread.currentThread())) {
            return false;
        }
        try {
            boolean found = turns.getAsBoolean();
            if (found) {
                assistedTurns++; // holder only
            }
            return found;
        } finally {
            holder.set(null);
        }
    }

    /** A mailbox's thread stops helping (it sleeps, or its handler took long): the selector thread, if it stands aside, leads again at once. */
    @Override
    public void done() {
        lastPoll = System.nanoTime() - 2 * ASIDE_NANOS;
        wake();
    }

    /** Turns of mailbox threads that found something ready (tests). */
    long assistedTurns() {
        return assistedTurns;
    }
}
