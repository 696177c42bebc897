package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A mailbox's thread that polls for a while after emptying its queue, then sleeps. */
class MailboxPollingTest {

    private static final long TIMEOUT_MS = 10_000;
    private static final NodeName PEER = NodeName.parse("peer@127.0.0.1");
    private static final String THREAD = "gencluster-mailbox-box-node@host";

    private final List<Mailboxes> opened = new ArrayList<>();
    private final BlockingQueue<String> arrived = new LinkedBlockingQueue<>();

    @AfterEach
    void closeAll() throws InterruptedException {
        for (Mailboxes m : opened) {
            for (Thread t : m.close()) {
                t.join(TIMEOUT_MS);
            }
        }
    }

    private Mailboxes polling(long pollNanos) {
        Mailboxes m = new Mailboxes(100, 1 << 20, "node@host", () -> { }, pollNanos);
        opened.add(m);
        m.add("box", (from, p) -> arrived.add(new String(p)));
        return m;
    }

    private void offer(Mailboxes m, String text, boolean wake) {
        assertEquals(1, m.offer(PEER, "box", new byte[][] {text.getBytes()}, 0, 1, wake));
    }

    private String next() throws InterruptedException {
        String got = arrived.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertNotNull(got, "no message within " + TIMEOUT_MS + " ms");
        return got;
    }

    @Test
    void whilePollingTheThreadTakesAMessageNobodyWokeItFor() throws Exception {
        Mailboxes m = polling(TimeUnit.SECONDS.toNanos(30));
        offer(m, "a", true);
        assertEquals("a", next());
        // a reader in the middle of a read neither signals nor defers a thread that polls
        offer(m, "b", false);
        assertEquals("b", next());
    }

    @Test
    void afterItsWindowTheThreadSleepsAndIsWokenAsBefore() throws Exception {
        Mailboxes m = polling(TimeUnit.MILLISECONDS.toNanos(1));
        offer(m, "a", true);
        assertEquals("a", next());
        MailboxThreads.awaitSleeping(MailboxThreads.named(THREAD), TIMEOUT_MS);
        offer(m, "b", false); // deferred: the end of the read wakes it
        m.wakeDeferred();
        assertEquals("b", next());
    }

    @Test
    void afterAStreamsBatchTheThreadSleepsAtOnce() throws Exception {
        Mailboxes m = polling(TimeUnit.SECONDS.toNanos(30));
        byte[][] batch = new byte[10][];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = ("m" + i).getBytes();
        }
        assertEquals(10, m.offer(PEER, "box", batch, 0, batch.length, true));
        for (int i = 0; i < batch.length; i++) {
            assertEquals("m" + i, next());
        }
        MailboxThreads.awaitSleeping(MailboxThreads.named(THREAD), TIMEOUT_MS); // not after 30 s of polling: within the 10 s this allows
    }

    @Test
    void aThreadThatPolledUsesNoCpuOnceItsWindowIsOver() throws Exception {
        Mailboxes m = polling(TimeUnit.MILLISECONDS.toNanos(1));
        offer(m, "a", true);
        assertEquals("a", next());
        Thread t = MailboxThreads.named(THREAD);
        MailboxThreads.awaitSleeping(t, TIMEOUT_MS);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long before = cpu.getThreadCpuTime(t.getId());
        Thread.sleep(1000); // a quiet second: no message comes
        long used = cpu.getThreadCpuTime(t.getId()) - before;
        assertTrue(used < TimeUnit.MILLISECONDS.toNanos(100), "the mailbox's thread used " + used / 1_000_000 + " ms of CPU in a quiet second");
    }

    @Test
    void closingStopsAThreadInTheMiddleOfItsWindow() throws Exception {
        Mailboxes m = polling(TimeUnit.SECONDS.toNanos(60));
        offer(m, "a", true);
        assertEquals("a", next());
        opened.remove(m);
        for (Thread t : m.close()) {
            t.join(2_000);
            assertFalse(t.isAlive(), "the mailbox's thread still polls 2 s after the close");
        }
    }
}
