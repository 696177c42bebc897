package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A mailbox's thread that polls for its next message runs the selector's turns itself and reads
 * its messages without a hand-off ({@link SelectorLead}); when its handler then blocks, the
 * selector thread takes the lead back and every other mailbox, and the connection, go on.
 */
class SelectorLeadTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    /** Both nodes poll for the longest window: each message comes while the other side's thread polls. */
    private TcpDist node(String name) throws Exception {
        return nodes.node(name, b -> b.busyPollMicros(BusyPoll.MAX_MICROS));
    }

    private static byte[] number(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    @Test
    void mailboxThreadsThatPollReadTheRepliesOfAPingPongThemselvesInOrder() throws Exception {
        TcpDist a = node("a");
        TcpDist b = node("b");
        LoopbackNodes.connect(a, b);
        b.addMailbox("echo", LoopbackNodes.sendingBack(b, "back"));
        BlockingQueue<Integer> back = new LinkedBlockingQueue<>();
        a.addMailbox("back", (from, p) -> { // each reply's handler sends the next request, and so awaits an answer
            int i = ByteBuffer.wrap(p).getInt();
            back.add(i);
            if (i + 1 < 2000) {
                LoopbackNodes.sendOrThrow(a, b.self(), "echo", number(i + 1));
            }
        });
        long aBefore = a.assistedTurns();
        long bBefore = b.assistedTurns();
        a.send(b.self(), "echo", number(0), TIMEOUT);
        for (int i = 0; i < 2000; i++) {
            Integer got = back.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(got, "reply " + i + " did not come");
            assertEquals(i, got);
        }
        // the polling echo thread read requests, the polling back thread replies: both nodes' mailbox
        // threads ran turns of their selectors that found a message
        assertTrue(a.assistedTurns() > aBefore && b.assistedTurns() > bBefore,
                "turns run by mailbox threads that found something: a " + (a.assistedTurns() - aBefore) + ", b "
                        + (b.assistedTurns() - bBefore));
    }

    @Test
    void aHandlerThatBlocksRightAfterItsPollingThreadReadItsMessageLeavesOtherMailboxesServed() throws Exception {
        TcpDist a = node("a");
        TcpDist b = node("b");
        LoopbackNodes.connect(a, b);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        BlockingQueue<Integer> slowGot = new LinkedBlockingQueue<>();
        b.addMailbox("slow", (from, p) -> {
            int i = ByteBuffer.wrap(p).getInt();
            slowGot.add(i);
            if (i < 0) {
                blocked.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS); // blocks with the lead free: its thread left the turn to run this
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            LoopbackNodes.sendOrThrow(b, from, "ack", p);
        });
        BlockingQueue<Integer> fastGot = new LinkedBlockingQueue<>();
        b.addMailbox("fast", (from, p) -> fastGot.add(ByteBuffer.wrap(p).getInt()));
        BlockingQueue<Integer> acks = new LinkedBlockingQueue<>();
        a.addMailbox("ack", (from, p) -> acks.add(ByteBuffer.wrap(p).getInt()));

        // a ping-pong keeps the slow mailbox's thread polling, and leading b's turns, between messages
        for (int i = 0; i < 200; i++) {
            a.send(b.self(), "slow", number(i), TIMEOUT);
            assertEquals(i, acks.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "ack " + i);
        }
        a.send(b.self(), "slow", number(-1), TIMEOUT); // at once, while that thread polls
        assertTrue(blocked.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the blocking message did not come");
        try {
            for (int i = 0; i < 100; i++) {
                a.send(b.self(), "fast", number(i), TIMEOUT);
                assertEquals(i, fastGot.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                        "message " + i + " to another mailbox while the slow handler blocks");
            }
            assertTrue(b.members().contains(a.self()) && a.members().contains(b.self()), "the connection stayed up");
        } finally {
            release.countDown();
        }
        a.send(b.self(), "slow", number(1000), TIMEOUT);
        assertEquals(1000, acks.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the slow mailbox goes on once released");
    }
}
