package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.awaitMembers;
import static io.gencluster.itests.EmbeddedNodes.names;
import static io.gencluster.itests.EmbeddedNodes.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.itests.node.FelixNode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Messages between three real frameworks: whiteboard MessageHandler services receive, the
 * Messenger service sends. Sequence numbers show every message arrives, once, in order.
 */
class MessagingIT {

    /** Per ordered pair of nodes: six pairs, 120,000 messages in all. */
    private static final int COUNT = 20_000;
    private EmbeddedNodes cluster;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new EmbeddedNodes("messaging");
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    @Test
    void messagesBetweenThreeFrameworksInBothDirectionsArriveCompleteAndInOrder() throws Exception {
        List<FelixNode> nodes = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            nodes.add(cluster.start(n, "c00kie-for-integration-tests"));
        }
        for (FelixNode n : nodes) {
            cluster.discover(n, "a", "b", "c");
            runtime(n);
        }
        awaitMembers(nodes.get(0), names("b", "c"));
        awaitMembers(nodes.get(1), names("a", "c"));
        awaitMembers(nodes.get(2), names("a", "b"));

        List<String> errors = new CopyOnWriteArrayList<>();
        CountDownLatch complete = new CountDownLatch(6); // every ordered pair of nodes
        for (FelixNode n : nodes) {
            Map<String, AtomicInteger> next = new ConcurrentHashMap<>();
            n.mailbox("seq", (from, payload) -> {
                int seq = ByteBuffer.wrap(payload).getInt();
                int want = next.computeIfAbsent(from, k -> new AtomicInteger()).getAndIncrement();
                if (seq != want && errors.size() < 10) {
                    errors.add("from " + from + ": " + seq + " where " + want + " was due");
                }
                if (seq == COUNT - 1) {
                    complete.countDown();
                }
            });
        }
        List<Thread> senders = new ArrayList<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        String[] name = {"a@127.0.0.1", "b@127.0.0.1", "c@127.0.0.1"};
        for (int from = 0; from < 3; from++) {
            for (int to = 0; to < 3; to++) {
                if (from == to) {
                    continue;
                }
                FelixNode sender = nodes.get(from);
                String target = name[to];
                Thread t = new Thread(() -> {
                    for (int i = 0; i < COUNT; i++) {
                        byte[] payload = new byte[32];
                        ByteBuffer.wrap(payload).putInt(i);
                        if (!sender.send(target, "seq", payload, Duration.ofSeconds(10))) {
                            refused.add("message " + i + " to " + target);
                            return;
                        }
                    }
                });
                senders.add(t);
                t.start();
            }
        }
        for (Thread t : senders) {
            t.join(TimeUnit.SECONDS.toMillis(120));
        }
        assertTrue(refused.isEmpty(), refused.toString());
        assertTrue(complete.await(60, TimeUnit.SECONDS), "every pair's last message arrived");
        assertEquals(List.of(), errors);
    }

    @Test
    void aHandlerRegisteredForInlineDeliveryRunsOnTheTransportsReadingThread() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        FelixNode b = cluster.start("b", "c00kie-for-integration-tests");
        for (FelixNode n : List.of(a, b)) {
            cluster.discover(n, "a", "b");
            runtime(n);
        }
        awaitMembers(a, names("b"));
        BlockingQueue<String> threads = new LinkedBlockingQueue<>();
        b.mailbox("inline", Map.of("gencluster.mailbox.delivery", "inline"), (from, p) -> threads.add("inline " + Thread.currentThread().getName()));
        // a value that is neither choice: logged, and the default (a thread of the mailbox's own) holds
        b.mailbox("queued", Map.of("gencluster.mailbox.delivery", "fast"), (from, p) -> threads.add("queued " + Thread.currentThread().getName()));
        assertTrue(a.send("b@127.0.0.1", "inline", new byte[1], Duration.ofSeconds(10)));
        assertEquals("inline gencluster-tcp-io-b@127.0.0.1", threads.poll(30, TimeUnit.SECONDS));
        assertTrue(a.send("b@127.0.0.1", "queued", new byte[1], Duration.ofSeconds(10)));
        assertEquals("queued gencluster-mailbox-queued-b@127.0.0.1", threads.poll(30, TimeUnit.SECONDS));
    }

    @Test
    void aReceiverThatStopsTakingMessagesPushesBackOnTheSenderInsteadOfQueueingWithoutBound() throws Exception {
        int queueBytes = 256 * 1024;
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests", Map.of("send.queue.bytes", String.valueOf(queueBytes), "max.frame.bytes", "65536"));
        FelixNode b = cluster.start("b", "c00kie-for-integration-tests", Map.of("mailbox.queue", "16"));
        cluster.discover(a, "b");
        cluster.discover(b, "a");
        runtime(a);
        runtime(b);
        awaitMembers(a, names("b"));

        CountDownLatch release = new CountDownLatch(1);
        List<Integer> received = new CopyOnWriteArrayList<>();
        b.mailbox("slow", (from, payload) -> {
            try {
                release.await(60, TimeUnit.SECONDS); // a handler stuck until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            received.add(ByteBuffer.wrap(payload).getInt());
        });
        // 1 KiB messages until the send queue stays full: the sender is told, its queue never grows past its bound
        int bound = 64 * 1024; // 64 MiB: far beyond the send queue, the mailbox and any loopback socket buffers
        int sent = 0;
        java.util.Optional<String> refusal = java.util.Optional.empty();
        while (sent < bound && refusal.isEmpty()) {
            byte[] payload = new byte[1024];
            ByteBuffer.wrap(payload).putInt(sent);
            refusal = a.trySend("b@127.0.0.1", "slow", payload, Duration.ofMillis(200));
            if (refusal.isEmpty()) {
                sent++;
            }
        }
        assertTrue(refusal.isPresent(), "no backpressure after " + sent + " messages of 1 KiB");
        assertTrue(refusal.get().contains("stayed full") && refusal.get().contains(String.valueOf(queueBytes)),
                "the sender is told the queue stayed full: " + refusal.get());

        // pushing back is not failing: the pair stays connected, and once the handler goes on, so do messages
        release.countDown();
        assertEquals(names("b"), a.members().orElseThrow(), "still connected after backpressure");
        int marker = Integer.MAX_VALUE;
        byte[] last = new byte[1024];
        ByteBuffer.wrap(last).putInt(marker);
        EmbeddedNodes.await("a message sent after the handler resumed arrives", () -> {
            if (received.contains(marker)) {
                return true;
            }
            a.trySend("b@127.0.0.1", "slow", last, Duration.ofSeconds(1));
            return false;
        }, true);
        List<Integer> seen = List.copyOf(received); // a snapshot: repeated markers may still be arriving
        List<Integer> inOrder = seen.subList(0, seen.indexOf(marker));
        for (int i = 1; i < inOrder.size(); i++) {
            assertTrue(inOrder.get(i) > inOrder.get(i - 1), "in order, each at most once: " + inOrder.get(i - 1) + " then " + inOrder.get(i));
        }
    }
}
