package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code busy.poll.us}: the selector thread polls for a moment after messages moved, and only
 * then; a node whose messages stopped sleeps in its selector again, and the key refuses what is
 * out of its range.
 */
class BusyPollTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    private TcpDist node(String name, long pollMicros) throws Exception {
        return nodes.node(name, b -> b.busyPollMicros(pollMicros));
    }

    /** CPU time of the selector thread of {@code node}, in nanoseconds. */
    private static long selectorCpu(TcpDist node) {
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals("gencluster-tcp-io-" + node.self())) {
                return THREADS.getThreadCpuTime(t.getThreadId());
            }
        }
        throw new AssertionError("no selector thread for " + node.self());
    }

    @Test
    void afterARoundOfPingPongWithTheLongestWindowTheSelectorThreadsSleepAgain() throws Exception {
        TcpDist a = node("a", BusyPoll.MAX_MICROS);
        TcpDist b = node("b", BusyPoll.MAX_MICROS);
        LoopbackNodes.connect(a, b);
        b.addMailbox("echo", LoopbackNodes.sendingBack(b, "back"));
        BlockingQueue<Integer> back = new LinkedBlockingQueue<>();
        a.addMailbox("back", (from, p) -> back.add(ByteBuffer.wrap(p).getInt()));
        for (int i = 0; i < 2000; i++) { // one at a time: each reply comes while the selectors poll
            a.send(b.self(), "echo", ByteBuffer.allocate(4).putInt(i).array(), TIMEOUT);
            Integer got = back.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(got, "reply " + i + " did not come");
            assertEquals(i, got);
        }
        // the window is 1 ms: well after it, a second of quiet costs each selector thread next to no
        // CPU (ticks only, every 500 ms); a thread still polling would have used most of that second
        long quietFrom = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (System.nanoTime() < quietFrom) {
            back.poll(10, TimeUnit.MILLISECONDS); // nothing comes: a bounded wait, not a sleep
        }
        long aBefore = selectorCpu(a);
        long bBefore = selectorCpu(b);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < end) {
            back.poll(10, TimeUnit.MILLISECONDS);
        }
        long aUsed = TimeUnit.NANOSECONDS.toMillis(selectorCpu(a) - aBefore);
        long bUsed = TimeUnit.NANOSECONDS.toMillis(selectorCpu(b) - bBefore);
        assertTrue(aUsed < 100 && bUsed < 100, "selector threads used " + aUsed + " ms and " + bUsed
                + " ms of CPU in a quiet second: still polling");
    }

    @Test
    void theWindowIsZeroToOneMillisecondAndRefusedByKeyOutsideIt() throws Exception {
        node("zero", 0); // off: accepted
        for (long bad : new long[] {-1, BusyPoll.MAX_MICROS + 1, Long.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpDistSettings
                    .builder(NodeName.parse("x@127.0.0.1"), LoopbackNodes.COOKIE).busyPollMicros(bad).build());
            assertTrue(e.getMessage().startsWith("key 'busy.poll.us'") && e.getMessage().contains(Long.toString(bad)), e.getMessage());
        }
    }
}
