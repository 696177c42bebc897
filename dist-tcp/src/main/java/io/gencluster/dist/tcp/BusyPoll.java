package io.gencluster.dist.tcp;

import java.io.IOException;
import java.nio.channels.Selector;

/**
 * How the selector thread waits: for a moment after messages moved ({@code busy.poll.us}), it polls
 * without sleeping, then sleeps in the selector as before.
 *
 * <p>A reply usually comes within tens of microseconds of a message. A thread that sleeps in the
 * meantime leaves its core idle, and on a virtual machine an idle core is halted: waking it for the
 * reply cost 50–60 µs per wake-up on this project's machine, most of a round trip between two JVMs
 * (p50 65 µs against 15 µs polling; see BENCHMARKS.md). Polling yields the core to any thread that
 * can run on it, so on a busy machine it costs others little; it starts only after DATA frames, not
 * after heartbeats, so an idle node polls not at all. Senders on other threads say that a message
 * went out through {@link #noteSend}, which costs them one volatile read while the hint is set.
 * While a mailbox's thread polls, running the selector's turns itself, this thread steps aside
 * ({@link SelectorLead}): one thread polls, not two.
 */
final class BusyPoll {

    /** The longest window accepted, in microseconds: past it, polling burns a core for nothing. */
    static final long MAX_MICROS = 1000;

    private final long windowNanos;
    private volatile boolean sent; // set by senders, cleared by the selector thread
    // selector thread only
    private boolean read;
    private long lastData = Long.MIN_VALUE / 2;

    BusyPoll(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** A message went out, from any thread: its reply may come soon. */
    void noteSend() {
        if (windowNanos > 0 && !sent) {
            sent = true;
        }
    }

    /** A DATA frame came in (selector thread). */
    void noteRead() {
        read = true;
    }

    /**
     * Waits for readiness for up to {@code waitMs} (more than 0): polling first while messages moved
     * less than the window ago, returning early when {@code io} was woken (a task posted, room made
     * in a mailbox, the loop stopping) meanwhile.
     */
    void select(Selector selector, IoThread io, long waitMs) throws IOException {
        if (windowNanos > 0) {
            long now = System.nanoTime();
            if (read || sent) {
                read = false;
                sent = false;
                lastData = now;
            }
            while (now - lastData < windowNanos) {
                if (selector.selectNow() > 0 || io.takeWakeup()) { // tasks posted, room made, stopping: all wake
                    return;
                }
                if (sent) { // a send meanwhile: the window starts again
                    sent = false;
                    lastData = System.nanoTime();
                }
                if (io.lead.assisted(now)) {
                    io.lead.stepAside(); // a mailbox's thread polls the selector meanwhile: one thread polling, not two
                    return;
                }
                Thread.yield(); // a thread that can run on this core runs; else poll again at once
                now = System.nanoTime();
            }
            if (io.takeWakeup()) { // woken while polling: selectNow() cleared the selector's wake-up
                return;
            }
        }
        selector.select(waitMs);
    }
}
