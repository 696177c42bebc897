package io.gencluster.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventDeliveryTest {

    private static final Duration LONG = Duration.ofSeconds(10);

    private final List<Integer> delivered = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final CountDownLatch inFirst = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1); // holds the first event in delivery until opened
    private volatile boolean interruptedInSink;

    /** A sink that, like a slow EventHandler, holds the first event until the test opens the gate. */
    private void sink(Integer e) {
        if (delivered.isEmpty() && inFirst.getCount() > 0) {
            inFirst.countDown();
            try {
                gate.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                interruptedInSink = true;
            }
            interruptedInSink |= Thread.currentThread().isInterrupted();
        }
        threads.add(Thread.currentThread().getName());
        delivered.add(e);
    }

    @AfterEach
    void openTheGate() {
        gate.countDown();
    }

    @Test
    void eventsReachTheSinkInOrderOnAThreadOfItsOwn() throws Exception {
        EventDelivery<Integer> d = new EventDelivery<>(this::sink, "test-delivery");
        gate.countDown();
        IntStream.rangeClosed(1, 100).forEach(i -> assertTrue(d.offer(i)));
        assertTrue(d.close(LONG));
        assertEquals(IntStream.rangeClosed(1, 100).boxed().toList(), delivered);
        assertEquals(List.of("test-delivery"), threads.stream().distinct().toList());
    }

    @Test
    void itsThreadRunsFromTheStartAndEndsWithClose() throws Exception {
        EventDelivery<Integer> d = new EventDelivery<>(this::sink, "test-delivery-life");
        Thread t = Thread.getAllStackTraces().keySet().stream().filter(x -> x.getName().equals("test-delivery-life")).findFirst()
                .orElse(null);
        assertTrue(t != null, "no delivering thread before the first event");
        assertTrue(d.close(LONG));
        t.join(LONG.toMillis());
        assertFalse(t.isAlive(), "the delivering thread outlived close");
    }

    @Test
    void closeWaitsUntilEveryEventOfferedBeforeIsDelivered() throws Exception {
        EventDelivery<Integer> d = new EventDelivery<>(this::sink, "test-delivery");
        d.offer(1);
        d.offer(2);
        d.offer(3);
        assertTrue(inFirst.await(5, TimeUnit.SECONDS));
        CompletableFuture<List<Integer>> closed = CompletableFuture.supplyAsync(() -> {
            assertTrue(d.close(LONG));
            return List.copyOf(delivered);
        });
        assertThrows(TimeoutException.class, () -> closed.get(300, TimeUnit.MILLISECONDS), "close returned with an event in delivery");
        assertFalse(d.offer(4), "accepted an event while closing");
        gate.countDown();
        assertEquals(List.of(1, 2, 3), closed.get(5, TimeUnit.SECONDS));
        assertFalse(interruptedInSink, "the delivering thread was interrupted");
    }

    @Test
    void closeGivesUpAfterItsBoundWithoutInterruptingTheDelivery() throws Exception {
        EventDelivery<Integer> d = new EventDelivery<>(this::sink, "test-delivery");
        d.offer(1);
        d.offer(2);
        assertTrue(inFirst.await(5, TimeUnit.SECONDS));
        long start = System.nanoTime();
        assertFalse(d.close(Duration.ofMillis(200)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close waited past its bound");
        assertEquals(List.of(), delivered);
        gate.countDown();
        assertFalse(interruptedInSink, "the delivering thread was interrupted");
    }

    @Test
    void aFullQueueDropsNewEventsAndTakesThemAgainOnceItCaughtUp() throws Exception {
        EventDelivery<Integer> d = new EventDelivery<>(this::sink, "test-delivery");
        assertTrue(d.offer(0));
        assertTrue(inFirst.await(5, TimeUnit.SECONDS)); // 0 in delivery, the queue empty
        int accepted = 0;
        while (d.offer(1)) {
            accepted++;
            assertTrue(accepted <= EventDelivery.CAPACITY, "the queue is not bounded");
        }
        assertEquals(EventDelivery.CAPACITY, accepted);
        assertFalse(d.offer(2));
        gate.countDown();
        assertTrue(d.close(LONG));
        assertEquals(EventDelivery.CAPACITY + 1, delivered.size());
        assertFalse(delivered.contains(2));
    }
}
