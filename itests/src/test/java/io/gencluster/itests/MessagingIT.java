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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
            nodes.add(cluster.start(n, "c00kie"));
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
}
