package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.dist.tcp.wire.FrameCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
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

    /** A connection that is up, whose reads return these steps in turn (bytes, or {@link #PAUSE}), then nothing. */
    private Connection upConnection(Deque<byte[]> reads) {
        Connection c = new Connection(null, true, "b", 1 << 20, clock);
        c.state = Connection.State.UP;
        c.link = new Link() {
            @Override
            public boolean handshake() {
                return true;
            }

            @Override
            public int read(ByteBuffer dst) {
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
            }

            @Override
            public long write(ByteBuffer[] srcs, int count) {
                return 0;
            }

            @Override
            public boolean pendingOutput() {
                return false;
            }
        };
        return c;
    }

    @Test
    void ticksReadAfterAPauseBetweenReadinessAndTheReadCountAsReceivedThen() throws IOException {
        Deque<byte[]> reads = new ArrayDeque<>();
        reads.add(PAUSE);
        reads.add(TICK);
        Connection c = upConnection(reads);
        long stopped = clock.millis();
        frames.readFrames(c);
        assertEquals(stopped + PAUSE_MS, c.lastRead, "last received at the stop, though its ticks were read after it");
    }

    @Test
    void ticksReadAfterAPauseBetweenTwoReadsOfOneTurnCountAsReceivedThen() throws IOException {
        Deque<byte[]> reads = new ArrayDeque<>();
        reads.add(TICK);
        reads.add(PAUSE);
        reads.add(TICK);
        Connection c = upConnection(reads);
        long stopped = clock.millis();
        frames.readFrames(c);
        assertEquals(stopped + PAUSE_MS, c.lastRead, "last received at the stop, though its ticks were read after it");
    }
}
