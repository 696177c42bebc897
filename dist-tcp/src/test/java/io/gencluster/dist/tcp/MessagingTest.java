package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.wire.BlockingWire;
import io.gencluster.dist.tcp.wire.Handshake;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Messages between real TcpDist nodes over loopback. */
class MessagingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final List<TcpDist> started = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (TcpDist d : started) {
            d.close();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }

    private TcpDist node(String name, boolean transitive) throws IOException {
        return start(settings(name).transitive(transitive));
    }

    private TcpDist node(String name, int mailboxQueue, Duration tickTimeout) throws IOException {
        return start(settings(name).transitive(false).mailboxQueue(mailboxQueue).tickTimeout(tickTimeout));
    }

    private static TcpDistSettings.Builder settings(String name) {
        return TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0);
    }

    private TcpDist start(TcpDistSettings.Builder settings) throws IOException {
        TcpDist d = new TcpDist(settings.build());
        d.start();
        started.add(d);
        return d;
    }

    private static void connect(TcpDist from, TcpDist to) throws Exception {
        from.connect(Peer.of(to.self(), to.port()), TIMEOUT).toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    /** Records, per sender, that sequence numbers arrive complete and in order. */
    private static final class SequenceChecker {
        final Map<NodeName, AtomicInteger> next = new ConcurrentHashMap<>();
        final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CountDownLatch done;
        final int expected;

        SequenceChecker(int senders, int expected) {
            this.done = new CountDownLatch(senders);
            this.expected = expected;
        }

        void message(NodeName from, byte[] payload) {
            int seq = ByteBuffer.wrap(payload).getInt();
            int want = next.computeIfAbsent(from, k -> new AtomicInteger()).getAndIncrement();
            if (seq != want && errors.size() < 10) {
                errors.add("from " + from + ": got " + seq + ", expected " + want);
            }
            if (seq == expected - 1) {
                done.countDown();
            }
        }
    }

    @Test
    void aStreamMixingSmallAndLargeMessagesArrivesIntactAndInOrder() throws Exception {
        // small frames are batched into chunks, large ones queued as they are: order must survive both
        TcpDist a = node("a", false);
        TcpDist b = node("b", false);
        connect(a, b);
        int count = 20_000;
        int[] sizes = {4, 64, 1000, 8 * 1024 - 10, 8 * 1024 + 1, 60 * 1024, 200 * 1024};
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(1);
        b.addMailbox("mixed", (from, p) -> {
            int want = next.getAndIncrement();
            if (!java.util.Arrays.equals(p, mixedPayload(want, sizes)) && errors.size() < 5) {
                errors.add("message " + want + ": " + p.length + " bytes, not the " + mixedPayload(want, sizes).length + " sent");
            }
            if (want == count - 1) {
                all.countDown();
            }
        });
        for (int i = 0; i < count; i++) {
            a.send(b.self(), "mixed", mixedPayload(i, sizes), TIMEOUT);
        }
        assertTrue(all.await(60, TimeUnit.SECONDS), "only " + next.get() + " of " + count + " messages arrived");
        assertEquals(List.of(), errors);
    }

    /** Message {@code i}: a size picked by {@code i}, filled with bytes derived from {@code i}. */
    private static byte[] mixedPayload(int i, int[] sizes) {
        int size = (i % 50 == 49) ? sizes[4 + (i / 50) % 3] : sizes[i % 4];
        byte[] p = new byte[size];
        for (int k = 0; k < size; k++) {
            p[k] = (byte) (i * 31 + k);
        }
        return p;
    }

    @Test
    void messagesBetweenThreeNodesInBothDirectionsArriveCompleteAndInOrder() throws Exception {
        TcpDist a = node("a", false);
        TcpDist b = node("b", false);
        TcpDist c = node("c", false);
        connect(a, b);
        connect(b, c);
        connect(a, c);
        int count = 100_000;
        Map<TcpDist, SequenceChecker> checkers = new ConcurrentHashMap<>();
        for (TcpDist d : List.of(a, b, c)) {
            SequenceChecker checker = new SequenceChecker(2, count);
            checkers.put(d, checker);
            d.addMailbox("seq", checker::message);
        }
        List<Thread> senders = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (TcpDist from : List.of(a, b, c)) {
            for (TcpDist to : List.of(a, b, c)) {
                if (from == to) {
                    continue;
                }
                Thread t = new Thread(() -> {
                    try {
                        for (int i = 0; i < count; i++) {
                            byte[] payload = new byte[64];
                            ByteBuffer.wrap(payload).putInt(i);
                            from.send(to.self(), "seq", payload, TIMEOUT);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                senders.add(t);
                t.start();
            }
        }
        for (Thread t : senders) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertTrue(failures.isEmpty(), failures.toString());
        for (Map.Entry<TcpDist, SequenceChecker> e : checkers.entrySet()) {
            assertTrue(e.getValue().done.await(60, TimeUnit.SECONDS), "all messages reached " + e.getKey().self());
            assertTrue(e.getValue().errors.isEmpty(), e.getValue().errors.toString());
            for (AtomicInteger n : e.getValue().next.values()) {
                assertEquals(count, n.get(), "nothing lost, nothing twice");
            }
        }
    }

    @Test
    void aSendToANodeThatIsNotConnectedFailsAtOnce() throws Exception {
        TcpDist a = node("a", false);
        MessagingException e = assertThrows(MessagingException.class,
                () -> a.send(NodeName.parse("x@127.0.0.1"), "box", new byte[1], TIMEOUT));
        assertTrue(e.getMessage().contains("not connected to x@127.0.0.1"), e.getMessage());
    }

    @Test
    void aFullSendQueueGivesBackpressureThenAnErrorNotGrowth() throws Exception {
        TcpDist a = new TcpDist(TcpDistSettings.builder(NodeName.parse("a@127.0.0.1"), "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0).maxFrameBytes(64 * 1024).sendQueueBytes(256 * 1024)
                .tick(Duration.ofMillis(1000)).tickTimeout(Duration.ofSeconds(30)).build());
        a.start();
        started.add(a);
        // a peer that completes the handshake and then never reads: the socket buffers fill, then the queue
        Handshake fake = new Handshake(NodeName.parse("sink@127.0.0.1"), "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8), new java.util.Random(2));
        Socket s = new Socket(InetAddress.getLoopbackAddress(), a.port());
        s.setReceiveBufferSize(4096);
        sockets.add(s);
        BlockingWire.initiate(fake, new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()), a.self(), 1);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!a.members().contains(NodeName.parse("sink@127.0.0.1")) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        byte[] payload = new byte[32 * 1024];
        int sent = 0;
        MessagingException full = null;
        while (full == null && sent < 100_000) {
            try {
                a.send(NodeName.parse("sink@127.0.0.1"), "box", payload, Duration.ofMillis(200));
                sent++;
            } catch (MessagingException e) {
                full = e;
            }
        }
        assertTrue(full != null && full.getMessage().contains("stayed full"), "backpressure after " + sent + " messages: " + full);
        assertTrue((long) sent * payload.length < 64L * 1024 * 1024, "bounded: " + sent + " messages queued or in socket buffers");
    }

    @Test
    void aSlowMailboxDoesNotStallOtherMailboxesOrTheConnection() throws Exception {
        TcpDist a = node("a", false);
        TcpDist b = node("b", false);
        connect(a, b);
        CountDownLatch release = new CountDownLatch(1);
        b.addMailbox("slow", LoopbackNodes.heldUntil(release, (from, p) -> { }));
        CountDownLatch fast = new CountDownLatch(100);
        b.addMailbox("fast", (from, p) -> fast.countDown());
        for (int i = 0; i < 100; i++) {
            a.send(b.self(), "slow", new byte[8], TIMEOUT);
            a.send(b.self(), "fast", new byte[8], TIMEOUT);
        }
        assertTrue(fast.await(10, TimeUnit.SECONDS), "the fast mailbox got every message while the slow one was blocked");
        release.countDown();
        assertEquals(Set.of(b.self()), a.members());
    }

    @Test
    void aFullMailboxPausesItsConnectionAndLosesNothingOnceItsHandlerCatchesUp() throws Exception {
        TcpDist a = node("a", false);
        TcpDist b = node("b", 16, Duration.ofSeconds(20)); // a mailbox holds 16; a paused read waits up to 1 s
        connect(a, b);
        int boxed = 20_000;
        CountDownLatch release = new CountDownLatch(1);
        SequenceChecker box = new SequenceChecker(1, boxed);
        b.addMailbox("box", LoopbackNodes.heldUntil(release, box::message)); // stuck until a has sent far more than the mailbox holds
        SequenceChecker other = new SequenceChecker(1, boxed / 10);
        b.addMailbox("other", other::message);
        for (int i = 0; i < boxed; i++) {
            a.send(b.self(), "box", ByteBuffer.allocate(8).putInt(i).array(), TIMEOUT);
            if (i % 10 == 0) {
                a.send(b.self(), "other", ByteBuffer.allocate(8).putInt(i / 10).array(), TIMEOUT);
            }
            if (i == 1000) {
                release.countDown(); // well within the 1 s a full mailbox may hold its connection
            }
        }
        assertTrue(box.done.await(30, TimeUnit.SECONDS), "every message to the full mailbox arrived: " + box.next);
        assertTrue(other.done.await(30, TimeUnit.SECONDS), "every message to the other mailbox arrived: " + other.next);
        assertEquals(List.of(), box.errors, "complete and in order, each once");
        assertEquals(List.of(), other.errors, "complete and in order, each once");
        assertEquals(Set.of(b.self()), a.members());
    }

    @Test
    void aMailboxFullBeyondItsWaitDropsWhatWaitedAndItsConnectionReadsOn() throws Exception {
        TcpDist a = node("a", false);
        TcpDist b = node("b", 4, Duration.ofMillis(2500)); // a paused read waits 0.625 s, then drops
        connect(a, b);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        b.addMailbox("box", LoopbackNodes.heldUntil(release, (from, p) -> received.add(ByteBuffer.wrap(p).getInt())));
        CountDownLatch otherArrived = new CountDownLatch(1);
        b.addMailbox("other", (from, p) -> otherArrived.countDown());
        for (int i = 0; i < 100; i++) {
            a.send(b.self(), "box", ByteBuffer.allocate(8).putInt(i).array(), TIMEOUT);
        }
        a.send(b.self(), "other", new byte[8], TIMEOUT);
        // the message behind the full mailbox arrives once the wait is over and the rest is dropped
        assertTrue(otherArrived.await(10, TimeUnit.SECONDS), "the connection read on after the wait");
        release.countDown();
        a.send(b.self(), "box", ByteBuffer.allocate(8).putInt(1000).array(), TIMEOUT);
        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (!received.contains(1000) && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        List<Integer> seen = List.copyOf(received);
        assertTrue(seen.contains(0) && seen.contains(1000), "the first message and one sent after the release arrived: " + seen);
        assertTrue(seen.size() < 101, "what waited beyond the mailbox's wait was dropped, not delivered late: " + seen);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) > seen.get(i - 1), "in order, each at most once: " + seen);
        }
        assertEquals(Set.of(b.self()), a.members(), "waiting on a mailbox is no fault of the peer's");
    }

    @Test
    void withTransitiveMeshANodeConnectedToOneMemberConnectsToAll() throws Exception {
        TcpDist a = node("a", true);
        TcpDist b = node("b", true);
        TcpDist c = node("c", true);
        TcpDist d = node("d", true);
        connect(a, b);
        connect(a, c);
        connect(d, a); // d knows only a
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!d.members().equals(Set.of(a.self(), b.self(), c.self())) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Set.of(a.self(), b.self(), c.self()), d.members());
        while (!b.members().equals(Set.of(a.self(), c.self(), d.self())) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Set.of(a.self(), c.self(), d.self()), b.members(), "b and c learnt of each other through a, too");
    }

    @Test
    void withoutTransitiveMeshOnlyDialledConnectionsExist() throws Exception {
        TcpDist a = node("a", false);
        TcpDist b = node("b", false);
        TcpDist c = node("c", false);
        connect(a, b);
        connect(c, a);
        CountDownLatch probe = new CountDownLatch(1);
        a.addMailbox("p", (from, p) -> probe.countDown());
        b.send(a.self(), "p", new byte[1], TIMEOUT); // a round trip's worth of traffic after the connects
        assertTrue(probe.await(10, TimeUnit.SECONDS));
        assertEquals(Set.of(a.self()), c.members());
    }
}
