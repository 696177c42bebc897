package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.dist.kit.SettingChecks;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection takes 64 KiB chunks of direct memory for its queue only when frames queue up: one
 * that sends a frame at a time (handshake, ticks, requests and replies) holds none. A connection
 * that streams keeps the chunks its queue wrote, so that filling the queue again allocates and
 * zeroes no new direct memory, and gives them back once it has written nothing for a second, so
 * that a connection that stopped streaming holds little.
 */
class SpareChunksTest {

    private static final int CHUNK = 64 * 1024;

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    @Test
    void aConnectionThatSendsOneFrameAtATimeHoldsNoChunk() throws Exception {
        TcpDist a = nodes.node("a");
        TcpDist b = nodes.node("b");
        BlockingQueue<byte[]> replies = new ArrayBlockingQueue<>(1);
        a.addMailbox("replies", (from, p) -> replies.add(p));
        b.addMailbox("echo", LoopbackNodes.sendingBack(b, "replies"));
        LoopbackNodes.connect(a, b);
        for (int i = 0; i < 100; i++) {
            a.send(b.self(), "echo", new byte[256], LoopbackNodes.TIMEOUT);
            assertNotNull(replies.poll(10, TimeUnit.SECONDS), "no reply to request " + i);
        }
        SendQueue atA = a.connectionTo(b.self()).queue;
        SendQueue atB = b.connectionTo(a.self()).queue;
        LoopbackNodes.await(() -> atA.idle() && atB.idle(), () -> "the queues never emptied");
        // before frames sent one at a time went into chunks, the handshake alone left one on each side
        assertEquals(0, atA.spareChunks(), "chunks held by a's connection after requests only");
        assertEquals(0, atB.spareChunks(), "chunks held by b's connection after replies only");
    }

    @Test
    void writtenChunksAreKeptWhileTheConnectionStreamsAndGivenBackOnceIdle() throws Exception {
        TcpDist a = nodes.node("a", s -> s.sendQueueBytes(4 << 20));
        TcpDist b = nodes.node("b", s -> s.mailboxQueueBytes(SettingChecks.LEAST_MAILBOX_BYTES).tickTimeout(Duration.ofSeconds(30)));
        CountDownLatch release = new CountDownLatch(1);
        b.addMailbox("slow", LoopbackNodes.heldUntil(release, (from, p) -> { }));
        LoopbackNodes.connect(a, b);
        SendQueue q = a.connectionTo(b.self()).queue;

        // b's mailbox fills, b stops reading, the socket buffers fill, then a's queue; the kernel may
        // let b's receive buffer grow to tens of MiB (net.ipv4.tcp_rmem), so up to 256 MiB are sent
        byte[] payload = new byte[4096];
        CountDownLatch filled = new CountDownLatch(1);
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; i < 65_536; i++) {
                    a.send(b.self(), "slow", payload, Duration.ofSeconds(30));
                    if (q.queuedBytes() >= 16 * CHUNK) {
                        // seen here, not polled from the test: once sending stops, the queue drains
                        filled.countDown();
                        return;
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "spare-chunks-sender");
        try {
            sender.start();
            assertTrue(filled.await(10, TimeUnit.SECONDS), "a's queue never held 1 MiB: " + q.queuedBytes() + " bytes now");
        } finally {
            release.countDown();
        }
        sender.join(TimeUnit.SECONDS.toMillis(30));
        LoopbackNodes.await(() -> q.queuedBytes() == 0, () -> "a's queue never drained: " + q.queuedBytes() + " bytes");

        int kept = q.spareChunks();
        assertTrue(kept >= 16, "the queue drained keeping " + kept + " chunks for reuse, not the 16 it wrote");
        LoopbackNodes.await(() -> q.spareChunks() <= 2, () -> "still " + q.spareChunks() + " spare chunks after the connection went idle");
    }
}
