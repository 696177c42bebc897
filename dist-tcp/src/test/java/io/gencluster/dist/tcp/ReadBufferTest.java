package io.gencluster.dist.tcp;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection that receives a stream reads it a quarter MiB per system call, its read buffer grown
 * to that size, and goes back to a small buffer once the stream has stopped, so that a node whose
 * peers streamed once holds little.
 */
class ReadBufferTest {

    private static final int GROWN = 256 * 1024;

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    @Test
    void aStreamGrowsTheReadBufferWhichShrinksOnceTheStreamStops() throws Exception {
        TcpDist a = nodes.node("a", s -> s.sendQueueBytes(8 << 20));
        TcpDist b = nodes.node("b", s -> s.tickTimeout(Duration.ofSeconds(30)));
        CountDownLatch release = new CountDownLatch(1);
        b.addMailbox("held", LoopbackNodes.heldUntil(release, (from, p) -> { }));
        LoopbackNodes.connect(a, b);
        Connection atB = b.connectionTo(a.self());

        // b's first message holds its mailbox's thread: b's mailbox, then the socket buffers and a's queue fill
        byte[] payload = new byte[1024];
        SendQueue q = a.connectionTo(b.self()).queue;
        for (int i = 0; i < 16_384 && q.queuedBytes() < 2 << 20; i++) {
            a.send(b.self(), "held", payload, Duration.ofSeconds(30));
        }
        release.countDown(); // b now reads what waits for it in full socket buffers
        LoopbackNodes.await(() -> atB.readBufferBytes() >= GROWN,
                () -> "b read the stream with a buffer of " + atB.readBufferBytes() + " bytes, never " + GROWN);
        LoopbackNodes.await(() -> q.queuedBytes() == 0, () -> "a's queue never drained: " + q.queuedBytes() + " bytes");
        LoopbackNodes.await(() -> atB.readBufferBytes() <= Connection.IDLE_READ_BUFFER,
                () -> "b still holds a read buffer of " + atB.readBufferBytes() + " bytes after the stream stopped");
    }
}
