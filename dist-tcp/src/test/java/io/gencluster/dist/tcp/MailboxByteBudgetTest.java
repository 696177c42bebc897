package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.testing.RetainedHeap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow handler fed 1 MiB messages: the receiving node holds no more than the mailbox's byte
 * budget plus a per-connection overhead, the sender is held back, and once the handler catches up
 * every message arrives, in order.
 */
class MailboxByteBudgetTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MIB = 1 << 20;
    private static final int BUDGET = 16 * MIB;
    private static final int MESSAGES = 160;
    private static final int SEND_QUEUE = 4 * MIB;
    private static final int MAX_FRAME = 2 * MIB;
    /**
     * What else the two nodes of this JVM may hold: the sender's send queue and the message in its
     * hand, the receiver's read buffer (one frame) and what its connection parks (less than
     * {@link InboundFrames#HAND_OVER_BYTES} plus one frame), and 8 MiB for the rest of the heap's
     * churn between two measurements.
     */
    private static final long OVERHEAD = SEND_QUEUE + MIB + MAX_FRAME + InboundFrames.HAND_OVER_BYTES + MAX_FRAME + 8L * MIB;

    private final List<TcpDist> started = new ArrayList<>();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void closeAll() {
        pacer.shutdownNow();
        started.forEach(TcpDist::close);
    }

    private TcpDist node(String name) throws Exception {
        TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), "a-cookie-of-sixteen-bytes-or-more".getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0).transitive(false).tickTimeout(Duration.ofSeconds(20))
                .maxFrameBytes(MAX_FRAME).sendQueueBytes(SEND_QUEUE).mailboxQueueBytes(BUDGET).build());
        d.start();
        started.add(d);
        return d;
    }

    @Test
    void aSlowHandlerFedLargeMessagesHoldsItsByteBudgetAndLosesNothing() throws Exception {
        TcpDist a = node("a");
        TcpDist b = node("b");
        a.connect(Peer.of(b.self(), b.port()), TIMEOUT).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Semaphore handled = new Semaphore(0); // the handler's pace: one message per permit
        AtomicInteger next = new AtomicInteger();
        List<String> errors = new CopyOnWriteArrayList<>();
        b.addMailbox("slow", (from, p) -> {
            handled.acquireUninterruptibly();
            int want = next.getAndIncrement();
            int seq = ByteBuffer.wrap(p).getInt();
            if ((seq != want || p.length != MIB) && errors.size() < 5) {
                errors.add("got message " + seq + " of " + p.length + " bytes, expected " + want);
            }
        });
        long baseline = RetainedHeap.afterFullGc();
        AtomicInteger sent = new AtomicInteger();
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    a.send(b.self(), "slow", ByteBuffer.allocate(MIB).putInt(i).array(), TIMEOUT);
                    sent.incrementAndGet();
                }
            } catch (Exception e) {
                errors.add("send failed: " + e);
            }
        }, "sender");
        sender.start();
        // a slow handler: one message per 40 ms, and none while its mailbox is less than half full, so
        // that the mailbox fills however slowly this machine sends; each wait of the reader for room is
        // thus far within the time it may wait before it drops (1 s)
        pacer.scheduleAtFixedRate(() -> {
            if (b.mailboxBytes("slow") >= BUDGET / 2 || sent.get() == MESSAGES) {
                handled.release();
            }
        }, 40, 40, TimeUnit.MILLISECONDS);

        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (b.mailboxBytes("slow") < BUDGET - MIB - 32 && sent.get() < MESSAGES && System.nanoTime() < end) {
            LockSupport.parkNanos(1_000_000); // until the mailbox is full
        }
        long grown = 0;
        for (int i = 0; i < 5; i++) { // over half a second of the stream, at the handler's pace
            grown = Math.max(grown, RetainedHeap.afterFullGc() - baseline);
            LockSupport.parkNanos(100_000_000);
        }
        int sentWhileMeasured = sent.get();

        pacer.shutdownNow();
        handled.release(2 * MESSAGES); // the handler catches up
        sender.join(TIMEOUT.toMillis());
        while (next.get() < MESSAGES && System.nanoTime() < end) {
            LockSupport.parkNanos(1_000_000);
        }
        assertEquals(List.of(), errors, "every message once, in order");
        assertEquals(MESSAGES, next.get(), "every message arrived");
        assertTrue(b.mailboxPeakBytes("slow") <= BUDGET, "the mailbox held at most its budget: " + b.mailboxPeakBytes("slow"));
        assertTrue(grown <= BUDGET + OVERHEAD, "the heap grew by " + grown / MIB + " MiB, more than the budget ("
                + BUDGET / MIB + " MiB) plus the overhead (" + OVERHEAD / MIB + " MiB)");
        assertTrue(sentWhileMeasured < MESSAGES, "the sender was held back: " + sentWhileMeasured + " of " + MESSAGES + " sent");
        assertEquals(Set.of(b.self()), a.members(), "a node that waits on its own mailbox is no dead peer");
    }
}
