package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import io.gencluster.testing.LogLines;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MailboxesTest {

    private static final long TIMEOUT_MS = 10_000;
    private static final NodeName PEER = NodeName.parse("peer@127.0.0.1");

    private final List<Mailboxes> opened = new CopyOnWriteArrayList<>();

    /** Records what it is given; while {@link #held}, it keeps the first message's thread waiting. */
    private static final class Recorder implements MessageHandler {
        final List<String> got = new CopyOnWriteArrayList<>();
        final BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch held = new CountDownLatch(1);
        private final boolean hold;

        Recorder(boolean hold) {
            this.hold = hold;
        }

        @Override
        public void message(NodeName from, byte[] payload) {
            got.add(new String(payload));
            threads.add(Thread.currentThread().getName());
            arrived.add(new String(payload));
            entered.countDown();
            if (hold) {
                try {
                    held.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void awaitGot(int n) throws InterruptedException {
            while (got.size() < n) {
                assertNotNull(arrived.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS), "got only " + got);
            }
        }
    }

    private Mailboxes mailboxes(int capacity, Runnable roomMade) {
        return mailboxes(capacity, 1 << 20, roomMade);
    }

    private Mailboxes mailboxes(int capacity, long budgetBytes, Runnable roomMade) {
        Mailboxes m = new Mailboxes(capacity, budgetBytes, "node@host", roomMade);
        opened.add(m);
        return m;
    }

    private static byte[][] messages(String... texts) {
        byte[][] out = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            out[i] = texts[i].getBytes();
        }
        return out;
    }

    @AfterEach
    void closeAll() throws InterruptedException {
        for (Mailboxes m : opened) {
            for (Thread t : m.close()) {
                t.join(TIMEOUT_MS);
            }
        }
    }

    @Test
    void messagesReachTheirHandlerInOrderOnTheMailboxsOwnThread() throws Exception {
        Recorder r = new Recorder(false);
        Mailboxes m = mailboxes(10, () -> { });
        m.add("box", r);
        assertEquals(3, m.offer(PEER, "box", messages("a", "b", "c"), 0, 3, true));
        r.awaitGot(3);
        assertEquals(List.of("a", "b", "c"), r.got);
        assertEquals("gencluster-mailbox-box-node@host", r.threads.get(0));
    }

    @Test
    void anInlineMailboxDeliversOnTheReadersThreadInOrderBeforeTheOfferReturns() throws Exception {
        Recorder r = new Recorder(false);
        Mailboxes m = mailboxes(10, () -> { });
        m.addInline("box", r);
        byte[][] batch = messages("a", "b", "c");
        assertEquals(3, m.offer(PEER, "box", batch, 0, 3, false));
        m.deliver(PEER, "box", "d".getBytes());
        assertEquals(List.of("a", "b", "c", "d"), r.got);
        assertEquals(Thread.currentThread().getName(), r.threads.get(0));
        assertTrue(java.util.Arrays.stream(batch).allMatch(java.util.Objects::isNull), "the reader's slots are cleared");
        assertEquals(0, m.queuedBytes("box"));
    }

    @Test
    void anInlineMailboxAndAQueuedOneReplaceEachOther() throws Exception {
        Recorder queued = new Recorder(false);
        Recorder inline = new Recorder(false);
        Mailboxes m = mailboxes(10, () -> { });
        m.add("box", queued);
        m.addInline("box", inline);
        m.offer(PEER, "box", messages("to-inline"), 0, 1, true);
        assertEquals(List.of("to-inline"), inline.got);
        m.add("box", queued);
        m.offer(PEER, "box", messages("to-queued"), 0, 1, true);
        queued.awaitGot(1);
        assertEquals(List.of("to-inline"), inline.got);
        m.remove("box", queued);
        assertFalse(m.has("box"));
    }

    @Test
    void aSlowInlineHandlerIsLoggedOnceWithACountNotOnceACall() throws Exception {
        try (LogLines log = new LogLines(Mailboxes.class)) {
            Mailboxes m = mailboxes(10, () -> { });
            m.addInline("slow", (from, p) -> {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(15); // longer than a handler should take
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            });
            for (int i = 0; i < 5; i++) {
                m.deliver(PEER, "slow", new byte[1]);
            }
            List<String> slow = log.lines.stream().filter(l -> l.contains("mailbox 'slow'")).toList();
            assertEquals(1, slow.size(), log.lines.toString());
            assertTrue(slow.get(0).contains("inline delivery") && slow.get(0).contains("1 time(s)")
                    && slow.get(0).contains(MessageHandler.DELIVERY_PROPERTY + " = " + MessageHandler.DELIVERY_THREAD), slow.get(0));
        }
    }

    @Test
    void inlineCallsThatTogetherHoldTheReaderTooLongAreLoggedWithHowManyMessages() throws Exception {
        try (LogLines log = new LogLines(Mailboxes.class)) {
            Mailboxes m = mailboxes(10, () -> { });
            m.addInline("busy", (from, p) -> {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2); // each quick enough alone
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            });
            byte[][] read = new byte[10][];
            Arrays.fill(read, new byte[1]);
            assertEquals(10, m.offer(PEER, "busy", read, 0, 10, true)); // one read's messages: 20 ms on the reader
            List<String> busy = log.lines.stream().filter(l -> l.contains("mailbox 'busy'")).toList();
            assertEquals(1, busy.size(), log.lines.toString());
            assertTrue(busy.get(0).contains("1 time(s)") && busy.get(0).contains("over 10 message(s) in a row"), busy.get(0));
        }
    }

    @Test
    void aFailingInlineHandlerIsLoggedOnceWithACountAndTheReaderGoesOn() throws Exception {
        try (LogLines log = new LogLines(Mailboxes.class)) {
            Mailboxes m = mailboxes(10, () -> { });
            m.addInline("bad", (from, p) -> {
                throw new IllegalStateException("boom");
            });
            assertEquals(3, m.offer(PEER, "bad", messages("a", "b", "c"), 0, 3, true));
            assertEquals(1, log.lines.stream().filter(l -> l.contains("mailbox 'bad' (inline delivery) failed")).count(), log.lines.toString());
        }
    }

    @Test
    void aQueuedHandlerThatFailsOnEveryMessageIsLoggedOnceNotOnceAMessage() throws Exception {
        try (LogLines log = new LogLines(Mailboxes.class)) {
            Mailboxes m = mailboxes(1000, () -> { });
            CountDownLatch called = new CountDownLatch(200);
            m.add("bad", (from, p) -> {
                called.countDown();
                throw new IllegalStateException("boom");
            });
            for (int i = 0; i < 200; i++) {
                m.deliver(PEER, "bad", new byte[1]);
            }
            assertTrue(called.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the handler had every message");
            List<String> failed = log.lines.stream().filter(l -> l.contains("mailbox 'bad'")).toList();
            assertEquals(1, failed.size(), failed.toString());
            assertTrue(failed.get(0).contains("(queued delivery) failed on a message from " + PEER)
                    && failed.get(0).contains("summarised every 10 s"), failed.get(0));
        }
    }

    @Test
    void messagesOfferedWithoutAWakeUpArriveOnceTheReadEnds() throws Exception {
        Recorder r = new Recorder(false);
        Mailboxes m = mailboxes(10, () -> { });
        m.add("box", r);
        m.offer(PEER, "box", messages("a"), 0, 1, false);
        m.wakeDeferred();
        r.awaitGot(1);
        assertEquals(List.of("a"), r.got);
    }

    @Test
    void aFullQueueTakesWhatFitsAndSaysWhenThereIsRoomAgain() throws Exception {
        Recorder r = new Recorder(true);
        CountDownLatch room = new CountDownLatch(1);
        Mailboxes m = mailboxes(2, room::countDown);
        m.add("box", r);
        m.offer(PEER, "box", messages("first"), 0, 1, true);
        assertTrue(r.entered.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the handler holds the first message");
        assertEquals(2, m.offer(PEER, "box", messages("a", "b", "c"), 0, 3, true), "two fit, the third is the caller's");
        r.held.countDown();
        assertTrue(room.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "told of room");
        assertEquals(1, m.offer(PEER, "box", messages("a", "b", "c"), 2, 3, true));
        r.awaitGot(4);
        assertEquals(List.of("first", "a", "b", "c"), r.got);
    }

    @Test
    void aDeliveryWaitsABoundedTimeForRoomThenDropsTheMessage() throws Exception {
        Recorder r = new Recorder(true);
        Mailboxes m = mailboxes(1, () -> { });
        m.add("box", r);
        m.deliver(PEER, "box", "first".getBytes());
        assertTrue(r.entered.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the handler holds the first message");
        m.deliver(PEER, "box", "queued".getBytes());
        long start = System.nanoTime();
        m.deliver(PEER, "box", "dropped".getBytes());
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waitedMs >= Mailboxes.OFFER_WAIT_MS - 10, "waited " + waitedMs + " ms for room");
        r.held.countDown();
        r.awaitGot(2);
        m.remove("box", r); // delivers what it holds, then stops
        for (Thread t : m.close()) {
            t.join(TIMEOUT_MS);
        }
        assertEquals(List.of("first", "queued"), r.got);
    }

    @Test
    void aWaitingDeliveryGoesOnAsSoonAsTheHandlerMakesRoom() throws Exception {
        Recorder r = new Recorder(true);
        Mailboxes m = mailboxes(1, () -> { });
        Mailbox box = new Mailbox(m, "box", r);
        box.start();
        assertTrue(box.put(PEER, "first".getBytes(), 0));
        assertTrue(r.entered.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        assertTrue(box.put(PEER, "queued".getBytes(), 0));
        assertFalse(box.put(PEER, "refused".getBytes(), 0), "full, and no wait allowed");
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return box.put(PEER, "waited".getBytes(), TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        r.held.countDown();
        assertTrue(waiting.get(TIMEOUT_MS, TimeUnit.MILLISECONDS), "taken once there was room");
        r.awaitGot(3);
        assertEquals(List.of("first", "queued", "waited"), r.got);
        box.stop();
        box.thread.join(TIMEOUT_MS);
    }

    private static byte[][] sized(int bytes, String... texts) {
        byte[][] out = messages(texts);
        for (int i = 0; i < out.length; i++) {
            out[i] = java.util.Arrays.copyOf(out[i], bytes);
        }
        return out;
    }

    @Test
    void aFullByteBudgetTakesWhatFitsAndCountsAMessageUntilItsHandlerHasHadIt() throws Exception {
        Recorder r = new Recorder(true);
        java.util.concurrent.Semaphore room = new java.util.concurrent.Semaphore(0);
        int cost = 400 + Mailbox.MESSAGE_OVERHEAD;
        Mailboxes m = mailboxes(100, 1000, room::release);
        m.add("box", r);
        assertEquals(1, m.offer(PEER, "box", sized(400, "first"), 0, 1, true));
        assertTrue(r.entered.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the handler holds the first message");
        byte[][] more = sized(400, "a", "b", "c");
        assertEquals(1, m.offer(PEER, "box", more, 0, 3, true), "one fits beside the one being delivered");
        assertEquals(2L * cost, m.queuedBytes("box"), "the message in its handler's hands still counts");
        r.held.countDown();
        int i = 1;
        while (i < 3) {
            i += m.offer(PEER, "box", more, i, 3, true);
            if (i < 3) {
                assertTrue(room.tryAcquire(TIMEOUT_MS, TimeUnit.MILLISECONDS), "told of room");
            }
        }
        r.awaitGot(4);
        assertEquals(List.of("first", "a", "b", "c"), r.got.stream().map(String::trim).map(t -> t.replace("\0", "")).toList());
        assertTrue(m.peakBytes("box") <= 1000, "never more than the budget: " + m.peakBytes("box"));
    }

    @Test
    void aMessageLargerThanTheWholeBudgetIsTakenOnceTheMailboxIsEmpty() throws Exception {
        Recorder r = new Recorder(true);
        Mailboxes m = mailboxes(100, 1000, () -> { });
        m.add("box", r);
        m.offer(PEER, "box", sized(10, "first"), 0, 1, true);
        assertTrue(r.entered.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        byte[][] big = sized(5000, "big");
        assertEquals(0, m.offer(PEER, "box", big, 0, 1, true), "not beside another message");
        r.held.countDown();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (m.offer(PEER, "box", big, 0, 1, true) == 0) {
            assertTrue(System.nanoTime() < end, "never taken");
            Thread.onSpinWait();
        }
        r.awaitGot(2);
        assertEquals(5000, r.got.get(1).length());
    }

    @Test
    void aDeliveryWaitsForTheBytesOfADeliveredMessage() throws Exception {
        Recorder r = new Recorder(true);
        Mailboxes m = mailboxes(100, 1000, () -> { });
        Mailbox box = new Mailbox(m, "box", r);
        box.start();
        assertTrue(box.put(PEER, new byte[600], 0));
        assertTrue(r.entered.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        assertFalse(box.put(PEER, new byte[600], 0), "no room in bytes while the first is being delivered");
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return box.put(PEER, new byte[600], TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        r.held.countDown();
        assertTrue(waiting.get(TIMEOUT_MS, TimeUnit.MILLISECONDS), "taken once the first was delivered");
        r.awaitGot(2);
        box.stop();
        box.thread.join(TIMEOUT_MS);
    }

    @Test
    void messagesForAMailboxThatDoesNotExistAreDropped() throws Exception {
        Mailboxes m = mailboxes(10, () -> { });
        assertEquals(2, m.offer(PEER, "nobody", messages("a", "b"), 0, 2, true), "taken, to be dropped");
        m.deliver(PEER, "nobody", "c".getBytes());
        assertFalse(m.has("nobody"));
    }

    @Test
    void onlyTheHandlerThatServesAMailboxRemovesIt() throws Exception {
        Recorder first = new Recorder(false);
        Recorder second = new Recorder(false);
        Mailboxes m = mailboxes(10, () -> { });
        m.add("box", first);
        m.add("box", second); // replaces the first
        m.remove("box", first);
        assertTrue(m.has("box"));
        m.deliver(PEER, "box", "a".getBytes());
        second.awaitGot(1);
        assertEquals(List.of(), first.got);
        m.remove("box", second);
        assertFalse(m.has("box"));
    }

    @Test
    void closingStopsEveryMailboxThread() throws Exception {
        Recorder r = new Recorder(true);
        Mailboxes m = mailboxes(10, () -> { });
        m.add("a", r);
        m.add("b", new Recorder(false));
        m.deliver(PEER, "a", "held".getBytes());
        assertTrue(r.entered.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        List<Thread> threads = m.close();
        assertEquals(2, threads.size());
        for (Thread t : threads) {
            t.join(TIMEOUT_MS);
            assertFalse(t.isAlive(), t.getName());
        }
        assertFalse(m.has("a"));
    }
}
