package io.gencluster.itests.hosts.probe;

import io.gencluster.api.Cluster;
import io.gencluster.api.MessagingException;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Sends "0", "1", "2", ... to one mailbox of one node, one message per interval, on a thread of
 * its own, and records the outcome of each send in {@link OutcomeRuns}.
 *
 * <p>Pacing follows a schedule (seq n is due at start + n * interval), not a pause after each send:
 * a slow send does not slow the stream down. A sender that fell behind (a send waited for room in
 * a full queue, the JVM paused) catches up by at most {@link #MAX_BURST} sends at once; the rest of
 * the debt is forgotten, so a frozen node does not meet a flood when it thaws.
 */
final class StreamSender {

    /** How long one send may wait for room in a full send queue (backpressure). */
    static final Duration SEND_WAIT = Duration.ofMillis(200);
    /** Most sends made back to back to catch up with the schedule. */
    static final int MAX_BURST = 100;
    /** How long {@link #stop} waits for the thread: one send's wait and then some. */
    private static final long STOP_WAIT_MS = 5_000;

    private final NodeName target;
    private final String mailbox;
    private final long intervalNanos;
    private final long count;
    private final Supplier<Cluster> cluster;
    private final Supplier<Messenger> messenger;
    private final OutcomeRuns outcomes = new OutcomeRuns();
    private final AtomicInteger epoch = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopping;

    /**
     * @param count sends to make before the thread ends by itself ({@code done} is then called
     *              with the totals); 0 = until {@link #stop}
     */
    StreamSender(NodeName target, String mailbox, long intervalMicros, long count, Supplier<Cluster> cluster,
            Supplier<Messenger> messenger, Consumer<String> done) {
        this.target = target;
        this.mailbox = mailbox;
        this.intervalNanos = TimeUnit.MICROSECONDS.toNanos(intervalMicros);
        this.count = count;
        this.cluster = cluster;
        this.messenger = messenger;
        this.thread = new Thread(() -> {
            run();
            if (!stopping) {
                done.accept(outcomes.totals());
            }
        }, "probe-stream-" + target + "-" + mailbox);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The target went down: the current run ends here (see {@link OutcomeRuns}). Any thread. */
    void targetDown() {
        epoch.incrementAndGet();
    }

    /** Ends the stream (waiting for a send in progress) and returns what it recorded. */
    OutcomeRuns stop() throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        // not interrupted: an interrupt inside Messenger.send would be the transport's problem, not the test's
        thread.join(STOP_WAIT_MS);
        return outcomes;
    }

    private void run() {
        long next = System.nanoTime();
        for (long seq = 0; !stopping && (count == 0 || seq < count); seq++) {
            for (long wait = next - System.nanoTime(); wait > 0 && !stopping; wait = next - System.nanoTime()) {
                LockSupport.parkNanos(this, wait);
            }
            if (stopping) {
                return;
            }
            send(seq);
            next = Math.max(next + intervalNanos, System.nanoTime() - MAX_BURST * intervalNanos);
        }
    }

    private void send(long seq) {
        int sendEpoch = epoch.get(); // before the send: a message queued on a connection belongs to its epoch
        boolean accepted = false;
        Cluster c = cluster.get();
        Messenger m = messenger.get();
        if (c != null && m != null && c.members().contains(target)) {
            try {
                m.send(target, mailbox, Long.toString(seq).getBytes(StandardCharsets.US_ASCII), SEND_WAIT);
                accepted = true;
            } catch (MessagingException | RuntimeException notQueued) {
                // recorded as failed: the stream is how the test sees the outcome
            }
        }
        outcomes.record(seq, accepted, sendEpoch, System.currentTimeMillis());
    }

    NodeName target() {
        return target;
    }
}
