package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.dist.tcp.wire.FrameCodec;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection's last-received time, on which silence is judged, is the time its bytes were read,
 * also when this node was stopped (SIGSTOP, a long GC) in the middle of reading them: ticks that
 * waited in the socket while it was stopped show the peer alive, not silent since before the stop.
 */
class ReadAfterOwnPauseTest {

    private static final long PAUSE_MS = 1500;
    private static final byte[] TICK = FrameCodec.encode(FrameCodec.TICK, new byte[0]);
    /** A step of a connection's reads that stands for this node being stopped there. */
    private static final byte[] PAUSE = new byte[0];

    private final SelectorTransportTest.ManualClock clock = new SelectorTransportTest.ManualClock();
    private final Mailboxes mailboxes = new Mailboxes(16, 1 << 20, "read-after-pause");
    private final InboundFrames frames = new InboundFrames(
            TcpDistSettings.builder(NodeName.parse("a@127.0.0.1"), LoopbackNodes.COOKIE).clock(clock).build(), null,
            new MailboxDelivery(mailboxes, clock, 0), null, new BusyPoll(0));

    @AfterEach
    void close() {
        mailboxes.close();
    }

    /**
     * Reads a connection that is up and whose socket gives {@code steps} in turn (bytes, or
     * {@link #PAUSE}: this node stopped there), then nothing: its last-received time must be the
     * end of the pause, when the ticks that waited in the socket were read.
     */
    private void assertDatedAfterThePause(byte[]... steps) throws IOException {
        Deque<byte[]> reads = new ArrayDeque<>(List.of(steps));
        Connection c = new Connection(null, true, "b", 1 << 20, clock);
        c.state = Connection.State.UP;
        c.link = new ReadOnlyLink(dst -> {
            byte[] next = reads.poll();
            while (next == PAUSE) {
                clock.advance(PAUSE_MS); // this node was stopped here: the ticks read next waited in the socket
                next = reads.poll();
            }
            if (next == null) {
                return 0;
            }
            dst.put(next);
            return next.length;
        }, false);
        long stopped = clock.millis();
        frames.readFrames(c);
        assertEquals(stopped + PAUSE_MS, c.lastRead, "last received at the stop, though its ticks were read after it");
    }

    @Test
    void ticksReadAfterAPauseBetweenReadinessAndTheReadCountAsReceivedThen() throws IOException {
        assertDatedAfterThePause(PAUSE, TICK);
    }

    @Test
    void ticksReadAfterAPauseBetweenTwoReadsOfOneTurnCountAsReceivedThen() throws IOException {
        assertDatedAfterThePause(TICK, PAUSE, TICK);
    }
}
