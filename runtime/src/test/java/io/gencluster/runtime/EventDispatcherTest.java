package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventDispatcherTest {

    private static final NodeName A = NodeName.parse("a@h");

    @Test
    void aListenerThatThrowsDoesNotKeepTheOthersFromTheirEventsInOrder() throws Exception {
        BlockingQueue<ClusterEvent> heard = new ArrayBlockingQueue<>(10);
        BlockingQueue<String> threads = new ArrayBlockingQueue<>(10);
        List<EventDispatcher.Subscriber> listeners = new CopyOnWriteArrayList<>();
        listeners.add(EventDispatcher.Subscriber.of(e -> {
            throw new IllegalStateException("listener bug");
        }, null));
        listeners.add(EventDispatcher.Subscriber.of(e -> {
            threads.add(Thread.currentThread().getName());
            heard.add(e);
        }, null));
        EventDispatcher dispatcher = new EventDispatcher(listeners);
        try {
            dispatcher.dispatch(ClusterEvent.nodeUp(A, Instant.EPOCH));
            dispatcher.dispatch(ClusterEvent.nodeDown(A, DownReason.CONNECTION_CLOSED, "", Instant.EPOCH));
            assertEquals(ClusterEvent.Type.NODE_UP, heard.poll(5, TimeUnit.SECONDS).type());
            assertEquals(ClusterEvent.Type.NODE_DOWN, heard.poll(5, TimeUnit.SECONDS).type());
            assertEquals("gencluster-events", threads.poll(5, TimeUnit.SECONDS));
        } finally {
            dispatcher.close();
        }
    }

    @Test
    void closingStopsTheEventThread() throws Exception {
        BlockingQueue<Thread> thread = new ArrayBlockingQueue<>(1);
        EventDispatcher dispatcher = new EventDispatcher(
                List.of(EventDispatcher.Subscriber.of(e -> thread.add(Thread.currentThread()), null)));
        dispatcher.dispatch(ClusterEvent.nodeUp(A, Instant.EPOCH));
        Thread t = thread.poll(5, TimeUnit.SECONDS);
        assertTrue(t != null && t.getName().startsWith("gencluster-"));
        dispatcher.close();
        t.join(5_000);
        assertFalse(t.isAlive(), "no leaked thread");
    }

    @Test
    void aListenerGetsUpAndDownUnlessItsServicePropertyNamesOtherTypes() throws Exception {
        BlockingQueue<ClusterEvent> plain = new ArrayBlockingQueue<>(10);
        BlockingQueue<ClusterEvent> discoveryOnly = new ArrayBlockingQueue<>(10);
        BlockingQueue<ClusterEvent> all = new ArrayBlockingQueue<>(10);
        EventDispatcher dispatcher = new EventDispatcher(List.of(
                EventDispatcher.Subscriber.of(plain::add, null),
                EventDispatcher.Subscriber.of(discoveryOnly::add, new String[] {"node_discovered", "NODE_LOST", "NODE_FROM_THE_FUTURE"}),
                EventDispatcher.Subscriber.of(all::add, "*")));
        try {
            dispatcher.dispatch(ClusterEvent.nodeDiscovered(io.gencluster.api.Peer.of(A, 7), Instant.EPOCH));
            dispatcher.dispatch(ClusterEvent.nodeUp(A, Instant.EPOCH));
            dispatcher.dispatch(ClusterEvent.nodeLost(A, Instant.EPOCH));
            for (int i = 0; i < 3; i++) {
                all.poll(5, TimeUnit.SECONDS);
            }
            assertEquals(List.of(ClusterEvent.Type.NODE_UP), plain.stream().map(ClusterEvent::type).toList());
            assertEquals(List.of(ClusterEvent.Type.NODE_DISCOVERED, ClusterEvent.Type.NODE_LOST),
                    discoveryOnly.stream().map(ClusterEvent::type).toList());
        } finally {
            dispatcher.close();
        }
    }
}
