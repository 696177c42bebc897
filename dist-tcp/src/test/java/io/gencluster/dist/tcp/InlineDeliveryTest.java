package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.wire.BlockingWire;
import io.gencluster.dist.tcp.wire.Handshake;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Mailboxes with inline delivery: the handler on the selector thread, and what that thread owes everyone else. */
class InlineDeliveryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final List<Socket> sockets = new ArrayList<>();

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    @AfterEach
    void closeSockets() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    private TcpDist node(String name) throws Exception {
        return nodes.node(name, b -> b.maxFrameBytes(64 * 1024).sendQueueBytes(256 * 1024)
                .tick(Duration.ofMillis(100)).tickTimeout(Duration.ofMillis(1000)));
    }

    @Test
    void anInlineHandlerRunsOnTheSelectorThreadAndRepliesInOrder() throws Exception {
        TcpDist a = node("a");
        TcpDist b = node("b");
        LoopbackNodes.connect(a, b);
        List<String> threads = new CopyOnWriteArrayList<>();
        b.addInlineMailbox("echo", (from, p) -> {
            threads.add(Thread.currentThread().getName());
            LoopbackNodes.sendOrThrow(b, from, "back", p);
        });
        BlockingQueue<Integer> back = new LinkedBlockingQueue<>();
        a.addInlineMailbox("back", (from, p) -> back.add(ByteBuffer.wrap(p).getInt()));
        for (int i = 0; i < 1000; i++) {
            a.send(b.self(), "echo", ByteBuffer.allocate(4).putInt(i).array(), TIMEOUT);
        }
        for (int i = 0; i < 1000; i++) {
            Integer got = back.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(got, "reply " + i + " did not come");
            assertEquals(i, got);
        }
        assertTrue(threads.stream().allMatch(t -> t.equals("gencluster-tcp-io-b@127.0.0.1")), "handler threads: " + threads.get(0));
    }

    /**
     * An inline handler that sends to a peer that stopped reading must not hold the selector
     * thread while the send queue is full: that thread is the one that empties it, and the one
     * that sends and reads every connection's heartbeats.
     */
    @Test
    void aSendFromAnInlineHandlerNeverWaitsForRoom() throws Exception {
        TcpDist a = node("a");
        TcpDist b = node("b");
        LoopbackNodes.connect(a, b);
        BlockingQueue<ClusterEvent> seenByA = new LinkedBlockingQueue<>();
        a.addListener(seenByA::add);
        // a peer that completes the handshake with b and then never reads
        NodeName sink = NodeName.parse("sink@127.0.0.1");
        Socket s = new Socket(InetAddress.getLoopbackAddress(), b.port());
        s.setReceiveBufferSize(4096);
        sockets.add(s);
        BlockingWire.initiate(new Handshake(sink, LoopbackNodes.COOKIE, new Random(3)), new DataInputStream(s.getInputStream()),
                new DataOutputStream(s.getOutputStream()), b.self(), 1);
        CountDownLatch refused = new CountDownLatch(1);
        List<String> failures = new CopyOnWriteArrayList<>();
        byte[] payload = new byte[32 * 1024];
        b.addInlineMailbox("fan-out", (from, p) -> {
            try {
                while (true) {
                    b.send(sink, "box", payload, Duration.ofSeconds(30));
                }
            } catch (MessagingException e) {
                failures.add(e.getMessage());
                refused.countDown();
            }
        });
        a.send(b.self(), "fan-out", new byte[1], TIMEOUT);
        assertTrue(refused.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the handler's sends never failed");
        assertTrue(failures.get(0).contains("stayed full") && failures.get(0).contains("never waits"), failures.get(0));
        // the selector thread went on: b answers a at once and a never saw b fall silent
        CountDownLatch answered = new CountDownLatch(1);
        a.addInlineMailbox("pong", (from, p) -> answered.countDown());
        b.addInlineMailbox("ping", (from, p) -> {
            try {
                b.send(from, "pong", p, TIMEOUT);
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        });
        a.send(b.self(), "ping", new byte[1], TIMEOUT);
        assertTrue(answered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "b did not answer");
        assertTrue(seenByA.stream().noneMatch(e -> e.type() == ClusterEvent.Type.NODE_DOWN), "a saw b go down: " + seenByA);
    }
}
