package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A mailbox's thread that polls after its handler sent a message helps the reader: it runs the
 * reader's turns, and a message such a turn reads for its own mailbox it delivers without a
 * hand-off; after a batch its handler took long over, or sent nothing in, it does not help.
 */
class ReaderAssistTest {

    private static final long TIMEOUT_MS = 10_000;
    private static final NodeName PEER = NodeName.parse("peer@127.0.0.1");
    private static final String THREAD = "gencluster-mailbox-box-node@host";
    /**
     * How quick a batch must be for its thread to help: 100 µs in production, where a handler that
     * took longer would hold up other mailboxes. Here 20 ms, and a slow handler takes 60 ms: on a
     * virtual machine whose cores are taken away from it, a handler of a few microseconds was
     * measured at 0.2–9.5 ms, and the tests' quick batches then read as slow in every attempt.
     */
    private static final long QUICK_MS = 20;
    private static final long SLOW_MS = 60;

    /** A reader whose turn offers the message waiting in {@link #wire}, on whichever thread runs it. */
    private final class Reader implements ReaderAssist {
        final AtomicReference<String> wire = new AtomicReference<>();
        final AtomicInteger turns = new AtomicInteger();
        final AtomicInteger dones = new AtomicInteger();
        volatile boolean toldLast; // the last call was done(), not turn(); done() notifies on this reader
        final List<String> offeredOn = new ArrayList<>(); // guarded by itself
        Mailboxes mailboxes;

        @Override
        public boolean turn() {
            toldLast = false;
            turns.incrementAndGet();
            String text = wire.getAndSet(null);
            if (text == null) {
                return false;
            }
            synchronized (offeredOn) {
                offeredOn.add(Thread.currentThread().getName());
            }
            mailboxes.offer(PEER, "box", new byte[][] {text.getBytes()}, 0, 1, true);
            return true;
        }

        @Override
        public void done() {
            toldLast = true;
            dones.incrementAndGet();
            synchronized (this) {
                notifyAll();
            }
        }

        /** Waits up to {@code millis} until the last call is done(); whether it is. */
        synchronized boolean awaitToldLast(long millis) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            long left;
            while (!toldLast && (left = end - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return toldLast;
        }
    }

    private final Reader reader = new Reader();
    private final BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    private Mailboxes mailboxes;

    @AfterEach
    void close() throws InterruptedException {
        for (Thread t : mailboxes.close()) {
            t.join(TIMEOUT_MS);
        }
    }

    private void open(long pollNanos, long slowHandlerMillis) {
        mailboxes = new Mailboxes(100, 1 << 20, "node@host", () -> { }, pollNanos, reader);
        mailboxes.assistAfterAtMostNanos = TimeUnit.MILLISECONDS.toNanos(QUICK_MS);
        reader.mailboxes = mailboxes;
        mailboxes.add("box", (from, p) -> {
            String text = new String(p);
            if (!text.startsWith("quiet")) {
                Mailboxes.sending(); // as a handler that answers: it may get an answer back
            }
            if (text.startsWith("slow")) {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(slowHandlerMillis);
                while (System.nanoTime() < end) {
                    Thread.onSpinWait(); // a handler that takes this long over its message
                }
            }
            arrived.add(text + " after " + reader.turns.get() + " turns, " + reader.dones.get() + " done");
        });
    }

    private String next() {
        String got = arrival(TIMEOUT_MS);
        assertNotNull(got, "no message within " + TIMEOUT_MS + " ms");
        return got;
    }

    /**
     * The next arrival within {@code millis}, or null. Polled, not waited for: a handler that had
     * to wake this thread would take longer (this thread taking its core), and its thread might
     * then not help in its next poll.
     */
    private String arrival(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        String got;
        while ((got = arrived.poll()) == null && System.nanoTime() < end) {
            Thread.yield();
        }
        return got;
    }

    /**
     * Offers a quick message from this thread, then puts {@code text} on the wire, where only a
     * helping thread's turn reads it; returns its arrival. A thread helps only after a handler that
     * took at most {@link #QUICK_MS}: should the quick message's handler have taken longer (its
     * first call, or a busy machine), that thread polls without helping, and this takes the text
     * back and tries again.
     */
    private String readByTheHelpingThread(String text) throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            assertEquals(1, mailboxes.offer(PEER, "box", new byte[][] {("quick" + attempt).getBytes()}, 0, 1, true));
            assertTrue(next().startsWith("quick" + attempt + " "));
            reader.wire.set(text);
            String got = arrival(SLOW_MS + 400); // a slow handler's message, read by a helping thread, too
            if (got != null) {
                return got;
            }
            assertEquals(text, reader.wire.getAndSet(null), "taken from the wire but not delivered");
        }
        throw new AssertionError("in 50 attempts the polling thread never read '" + text + "' through the reader");
    }

    private static int number(String arrival, String word) {
        String[] parts = arrival.split(" ");
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith(word)) {
                return Integer.parseInt(parts[i - 1]);
            }
        }
        throw new AssertionError(arrival);
    }

    @Test
    void aPollingThreadReadsItsNextMessageThroughTheReaderAndDeliversItItself() throws Exception {
        open(TimeUnit.SECONDS.toNanos(30), 0);
        assertTrue(readByTheHelpingThread("b").startsWith("b "));
        synchronized (reader.offeredOn) {
            assertEquals(List.of(THREAD), reader.offeredOn, "threads that read and offered 'b'");
        }
    }

    @Test
    void afterABatchWhoseHandlerSentNothingTheThreadDoesNotHelp() throws Exception {
        open(TimeUnit.MILLISECONDS.toNanos(500), 0);
        for (int i = 0; i < 20; i++) { // as a stream's receiver: reading and handling stay on two threads
            assertEquals(1, mailboxes.offer(PEER, "box", new byte[][] {("quiet" + i).getBytes()}, 0, 1, true));
            assertTrue(next().startsWith("quiet" + i + " "));
        }
        MailboxThreads.awaitSleeping(MailboxThreads.named(THREAD), TIMEOUT_MS);
        assertEquals(0, reader.turns.get(), "turns of the reader run by a thread whose handler sent nothing");
        assertEquals(0, reader.dones.get());
        assertTrue(readByTheHelpingThread("b").startsWith("b ")); // once its handler sends, it helps
    }

    @Test
    void aThreadThatHelpedTellsTheReaderAtOnceWhenItPollsWithoutHelping() throws Exception {
        open(TimeUnit.SECONDS.toNanos(60), 0);
        String b = readByTheHelpingThread("b"); // helping now, for a minute
        // b's handler sent: the thread's next poll helps (or, had b's handler taken over QUICK_MS, it
        // told the reader it stops). Offered before that, quiet would share b's poll window, and the
        // thread would rightly help after it
        int turnsByB = number(b, "turns");
        int donesByB = number(b, "done");
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (reader.turns.get() == turnsByB && reader.dones.get() == donesByB) {
            assertTrue(System.nanoTime() < end, "the thread neither helped nor told the reader after b");
            Thread.yield();
        }
        assertEquals(1, mailboxes.offer(PEER, "box", new byte[][] {"quiet".getBytes()}, 0, 1, true));
        assertTrue(next().startsWith("quiet "));
        // its handler sent nothing: it polls on without helping, and the reader must not be left
        // waiting for its turns (told now, or already after b, had b's handler taken over QUICK_MS)
        assertTrue(reader.awaitToldLast(TIMEOUT_MS), "the reader was not told within 10 s; the thread polls for 60 s (" + b
                + "; now " + reader.turns.get() + " turns, " + reader.dones.get() + " done)");
    }

    @Test
    void afterABatchItsHandlerTookLongOverTheThreadLetsTheReaderLeadAndDoesNotHelpInItsNextPoll() throws Exception {
        open(TimeUnit.MILLISECONDS.toNanos(500), SLOW_MS);
        String slow = readByTheHelpingThread("slow"); // its handler takes SLOW_MS
        int turnsBySlow = number(slow, "turns");
        int donesBySlow = number(slow, "done");
        MailboxThreads.awaitSleeping(MailboxThreads.named(THREAD), TIMEOUT_MS); // its 500 ms poll is over
        assertTrue(reader.dones.get() > donesBySlow, "the reader was not told at once that the thread stopped helping");
        assertEquals(turnsBySlow, reader.turns.get(), "turns of the reader run after a slow batch");
        // after a quick message it helps again
        assertTrue(readByTheHelpingThread("d").startsWith("d "));
    }
}
