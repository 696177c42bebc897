package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeEventsTest {

    private static final long TIMEOUT_MS = 10_000;
    private static final NodeName PEER = NodeName.parse("peer@127.0.0.1");
    private static final ThreadFactory DAEMONS = r -> {
        Thread t = new Thread(r, "test-events");
        t.setDaemon(true);
        return t;
    };

    private final List<NodeEvents> opened = new CopyOnWriteArrayList<>();

    private NodeEvents events(int maxQueued) {
        NodeEvents e = new NodeEvents(DAEMONS, maxQueued, System.getLogger(NodeEventsTest.class.getName()));
        opened.add(e);
        return e;
    }

    private static ClusterEvent up(int i) {
        return ClusterEvent.nodeUp(NodeName.parse("n" + i + "@127.0.0.1"), Instant.EPOCH);
    }

    @AfterEach
    void closeAll() {
        opened.forEach(e -> e.close(Duration.ofMillis(TIMEOUT_MS)));
    }

    @Test
    void listenersGetEveryEventInOrderOnTheEventThreadEvenWhenOneFails() throws InterruptedException {
        NodeEvents events = events(100);
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        events.addListener(e -> {
            throw new IllegalStateException("a listener that always fails");
        });
        events.addListener(e -> got.add(Thread.currentThread().getName() + " " + e));
        for (int i = 0; i < 5; i++) {
            events.emit(up(i));
        }
        for (int i = 0; i < 5; i++) {
            assertEquals("test-events " + up(i), got.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void aConnectSettledAfterANodeUpCompletesOnlyOnceTheEventWasDelivered() throws Exception {
        NodeEvents events = events(100);
        List<String> seen = new CopyOnWriteArrayList<>();
        events.addListener(e -> seen.add(e.toString()));
        CompletableFuture<Void> connect = new CompletableFuture<>();
        events.emit(up(1));
        events.settle(connect, null);
        connect.thenRun(() -> seen.add("connected")).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertEquals(List.of(up(1).toString(), "connected"), seen);
    }

    @Test
    void eventsPastTheBoundAreDroppedWhileConnectResultsStillComplete() throws Exception {
        NodeEvents events = events(2);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<ClusterEvent> seen = new CopyOnWriteArrayList<>();
        events.addListener(e -> {
            entered.countDown();
            try {
                release.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            seen.add(e);
        });
        events.emit(up(0));
        assertTrue(entered.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        for (int i = 1; i <= 5; i++) {
            events.emit(up(i)); // two are queued, three dropped
        }
        CompletableFuture<Void> connect = new CompletableFuture<>();
        IOException refused = new IOException("refused");
        events.settle(connect, refused); // the queue is full: completed on this thread, not late
        ExecutionException failed = assertThrows(ExecutionException.class, () -> connect.get(0, TimeUnit.MILLISECONDS));
        assertSame(refused, failed.getCause());
        release.countDown();
        events.close(Duration.ofMillis(TIMEOUT_MS));
        assertEquals(List.of(up(0), up(1), up(2)), seen);
    }

    @Test
    void closingDeliversWhatIsQueuedThenDropsEventsAndSettlesOnTheCaller() throws Exception {
        NodeEvents events = events(100);
        List<ClusterEvent> seen = new CopyOnWriteArrayList<>();
        events.addListener(seen::add);
        events.emit(up(1));
        events.close(Duration.ofMillis(TIMEOUT_MS));
        assertEquals(List.of(up(1)), seen);
        events.emit(ClusterEvent.nodeDown(PEER, DownReason.SHUTDOWN, "closed", Instant.EPOCH));
        CompletableFuture<Void> connect = new CompletableFuture<>();
        events.settle(connect, null);
        assertTrue(connect.isDone() && !connect.isCompletedExceptionally());
        assertEquals(List.of(up(1)), seen);
    }

    @Test
    void aListenerClosingItsNodeIsNotWaitedFor() throws InterruptedException {
        NodeEvents events = events(100);
        BlockingQueue<String> done = new LinkedBlockingQueue<>();
        events.addListener(e -> {
            long start = System.nanoTime();
            events.close(Duration.ofMillis(TIMEOUT_MS)); // would wait for itself until the timeout
            done.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < TIMEOUT_MS / 2 ? "returned" : "waited");
        });
        events.emit(up(1));
        String outcome = done.poll(TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
        assertNotNull(outcome);
        assertEquals("returned", outcome);
    }
}
