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
import java.util.concurrent.CountDownLatch;
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

    /**
     * A listener bound while events are still queued: what it knows of the membership must be what
     * the others were told, not a snapshot of the live membership that queued events contradict (a
     * 32-node cluster's console lacked one member for good that way).
     */
    @Test
    void aListenerSubscribedLateFirstHearsEveryNodeUpSoFarThenWhatFollows() throws Exception {
        NodeName b = NodeName.parse("b@h");
        NodeName c = NodeName.parse("c@h");
        BlockingQueue<ClusterEvent> early = new ArrayBlockingQueue<>(10);
        BlockingQueue<ClusterEvent> late = new ArrayBlockingQueue<>(10);
        BlockingQueue<ClusterEvent> lateDiscoveryOnly = new ArrayBlockingQueue<>(10);
        List<EventDispatcher.Subscriber> listeners = new CopyOnWriteArrayList<>();
        listeners.add(EventDispatcher.Subscriber.of(early::add, null));
        EventDispatcher dispatcher = new EventDispatcher(listeners);
        try {
            dispatcher.dispatch(ClusterEvent.nodeUp(A, Instant.EPOCH));
            dispatcher.dispatch(ClusterEvent.nodeUp(b, Instant.EPOCH));
            dispatcher.dispatch(ClusterEvent.nodeDown(A, DownReason.CONNECTION_CLOSED, "", Instant.EPOCH));
            dispatcher.subscribe(EventDispatcher.Subscriber.of(late::add, null));
            dispatcher.subscribe(EventDispatcher.Subscriber.of(lateDiscoveryOnly::add, "NODE_DISCOVERED"));
            dispatcher.dispatch(ClusterEvent.nodeUp(c, Instant.EPOCH));
            for (int i = 0; i < 4; i++) {
                early.poll(5, TimeUnit.SECONDS);
            }
            ClusterEvent first = late.poll(5, TimeUnit.SECONDS);
            ClusterEvent second = late.poll(5, TimeUnit.SECONDS);
            assertEquals(List.of("NODE_UP b@h", "NODE_UP c@h"), List.of(first.type() + " " + first.node(), second.type() + " " + second.node()));
            assertEquals(null, late.poll(100, TimeUnit.MILLISECONDS), "nothing more");
            assertTrue(lateDiscoveryOnly.isEmpty(), "no NODE_UP replayed to a listener of other types");
        } finally {
            dispatcher.close();
        }
    }

    @Test
    void aListenerUnsubscribedBeforeItsTurnHearsNothing() throws Exception {
        try (Held held = new Held()) {
            ClusterListener listener = held.late::add;
            held.dispatcher.subscribe(EventDispatcher.Subscriber.of(listener, null));
            held.dispatcher.unsubscribe(listener);
            held.releaseAfterADown();
            assertTrue(held.late.isEmpty(), "heard after it was unsubscribed: " + held.late);
        }
    }

    /**
     * A listener's service properties changed (DS calls the component's updated method) while its
     * subscription still waits behind queued events: the types it named last are the ones it gets.
     */
    @Test
    void aListenerWhoseTypesChangeBeforeItsTurnGetsTheNewTypes() throws Exception {
        try (Held held = new Held()) {
            ClusterListener listener = held.late::add;
            held.dispatcher.subscribe(EventDispatcher.Subscriber.of(listener, "NODE_UP"));
            held.dispatcher.update(EventDispatcher.Subscriber.of(listener, "NODE_DOWN"));
            held.releaseAfterADown();
            ClusterEvent heard = held.late.poll(5, TimeUnit.SECONDS);
            assertEquals("NODE_DOWN a@h", heard == null ? "nothing" : heard.type() + " " + heard.node(),
                    "the listener named NODE_DOWN last, not NODE_UP");
            assertTrue(held.late.isEmpty(), "heard more: " + held.late);
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

    /**
     * A dispatcher whose one listener holds the event thread until released, with a NODE_UP of A
     * queued: a subscription made meanwhile waits behind it.
     */
    private static final class Held implements AutoCloseable {
        final CountDownLatch release = new CountDownLatch(1);
        final BlockingQueue<ClusterEvent> early = new ArrayBlockingQueue<>(10);
        final BlockingQueue<ClusterEvent> late = new ArrayBlockingQueue<>(10);
        final EventDispatcher dispatcher;

        Held() {
            List<EventDispatcher.Subscriber> listeners = new CopyOnWriteArrayList<>();
            listeners.add(EventDispatcher.Subscriber.of(e -> {
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                early.add(e);
            }, null));
            dispatcher = new EventDispatcher(listeners);
            dispatcher.dispatch(ClusterEvent.nodeUp(A, Instant.EPOCH));
        }

        /** Queues a NODE_DOWN of A behind the waiting subscription, lets the event thread go, waits for that event. */
        void releaseAfterADown() throws InterruptedException {
            dispatcher.dispatch(ClusterEvent.nodeDown(A, DownReason.CONNECTION_CLOSED, "", Instant.EPOCH));
            release.countDown();
            early.poll(5, TimeUnit.SECONDS);
            assertEquals(ClusterEvent.Type.NODE_DOWN, early.poll(5, TimeUnit.SECONDS).type()); // after the subscription's turn
        }

        @Override
        public void close() {
            dispatcher.close();
        }
    }
}
