package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.dist.tcp.wire.BlockingWire;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.Handshake;
import io.gencluster.testing.LogLines;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the single selector thread must get right: thread economy, timers on the injected clock, hostile bytes. */
class SelectorTransportTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] COOKIE = "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8);
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private TcpDist node(String name, TcpDistSettings.Builder settings) throws IOException {
        TcpDist d = new TcpDist(settings.build());
        resources.add(0, d);
        d.start();
        return d;
    }

    private static TcpDistSettings.Builder settings(String name) {
        return TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), COOKIE).bindAddress("127.0.0.1").port(0)
                .tick(Duration.ofMillis(200)).tickTimeout(Duration.ofMillis(1000)).handshakeTimeout(Duration.ofMillis(2000));
    }

    private Socket socket(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout((int) TIMEOUT.toMillis());
        resources.add(s);
        return s;
    }

    private static BlockingQueue<ClusterEvent> events(TcpDist d) {
        BlockingQueue<ClusterEvent> q = new LinkedBlockingQueue<>();
        d.addListener(q::add);
        return q;
    }

    private static ClusterEvent next(BlockingQueue<ClusterEvent> q, ClusterEvent.Type type) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            ClusterEvent e = q.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + type + " within " + TIMEOUT);
            }
            if (e.type() == type) {
                return e;
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not within " + TIMEOUT);
            }
            Thread.onSpinWait();
        }
    }

    private static List<String> capture(Class<?> source, List<AutoCloseable> resources) {
        LogLines captured = new LogLines(source);
        resources.add(captured);
        return captured.lines;
    }

    /** A raw peer that completes the handshake as {@code name}, then does only what the test makes it do. */
    private Socket fakePeer(String name, TcpDist target) throws IOException {
        Socket s = socket(target.port());
        BlockingWire.initiate(new Handshake(NodeName.parse(name + "@127.0.0.1"), COOKIE, new java.util.Random(7)),
                new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()), target.self(), 1);
        return s;
    }

    private static long threads(String prefix, String node) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix) && t.getName().endsWith(node)).count();
    }

    @Test
    void aMailboxGivenBatchesInTheMiddleOfAReadIsWokenWhenTheReadEndsWithAnotherMailbox() throws Exception {
        // one write, so one read: two full batches for x (handed over mid-read, x's thread not woken
        // for them), then one message for y; the end of the read must wake x's thread too
        TcpDist a = node("a", settings("a").transitive(false));
        java.util.concurrent.atomic.AtomicInteger toX = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch gotY = new CountDownLatch(1);
        a.addMailbox("x", (from, p) -> toX.incrementAndGet());
        a.addMailbox("y", (from, p) -> gotY.countDown());
        Socket peer = fakePeer("burst", a);
        await(() -> a.members().contains(NodeName.parse("burst@127.0.0.1")), "the fake peer connected");
        int burst = 2 * Mailboxes.BATCH;
        ByteBuffer frames = ByteBuffer.allocate((burst + 1) * 12);
        for (int i = 0; i <= burst; i++) {
            frames.putInt(8).put(FrameCodec.DATA).putShort((short) 1).put((byte) (i < burst ? 'x' : 'y')).putInt(i);
        }
        peer.getOutputStream().write(frames.array(), 0, frames.position());
        assertTrue(gotY.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "y got its message");
        await(() -> toX.get() == burst, "x got all " + burst + " messages");
    }

    @Test
    void aTwelveNodeMeshNeedsNoThreadPerConnection() throws Exception {
        List<TcpDist> nodes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            nodes.add(node("n" + i, settings("n" + i).transitive(false)));
        }
        List<CompletableFuture<Void>> connects = new ArrayList<>();
        for (TcpDist from : nodes) {
            for (TcpDist to : nodes) {
                if (from != to) {
                    connects.add(from.connect(Peer.of(to.self(), to.port()), TIMEOUT).toCompletableFuture());
                }
            }
        }
        CompletableFuture.allOf(connects.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);
        for (TcpDist n : nodes) {
            assertEquals(11, n.members().size(), n.self() + " sees every other node");
        }
        // 11 connections each: still one selector thread, one event thread and at most a few resolvers per node
        assertEquals(1, threads("gencluster-tcp-io-", "n0@127.0.0.1"));
        assertTrue(threads("gencluster-tcp-", "n0@127.0.0.1") <= 6, "threads of n0: " + threads("gencluster-tcp-", "n0@127.0.0.1"));
    }

    @Test
    void silenceIsMeasuredOnTheInjectedClock() throws Exception {
        ManualClock clock = new ManualClock();
        TcpDist a = node("a", settings("a").tick(Duration.ofMillis(1000)).tickTimeout(Duration.ofMillis(10_000)).clock(clock));
        BlockingQueue<ClusterEvent> ea = events(a);
        fakePeer("mute", a);
        next(ea, ClusterEvent.Type.NODE_UP);
        clock.advance(10_001);
        ClusterEvent down = next(ea, ClusterEvent.Type.NODE_DOWN);
        assertEquals(DownReason.HEARTBEAT_TIMEOUT, down.reason().orElseThrow());
        assertEquals("nothing received for 10000 ms", down.detail());
        assertEquals(clock.instant(), down.time());
    }

    @Test
    void anIdleConnectionIsTickedWhenTheClockSaysSo() throws Exception {
        ManualClock clock = new ManualClock();
        TcpDist a = node("a", settings("a").tick(Duration.ofMillis(1000)).tickTimeout(Duration.ofMillis(10_000)).clock(clock));
        BlockingQueue<ClusterEvent> ea = events(a);
        Socket s = fakePeer("listener", a);
        next(ea, ClusterEvent.Type.NODE_UP);
        clock.advance(1000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        FrameCodec.Frame f = BlockingWire.read(in, 1024);
        assertEquals(FrameCodec.TICK, f.type());
    }

    @Test
    void anUnknownProtocolVersionIsRefusedWithItsReason() throws Exception {
        TcpDist a = node("a", settings("a"));
        Socket s = socket(a.port());
        s.getOutputStream().write(BlockingWire.hello(3, "future@127.0.0.1", a.self().toString()));
        DataInputStream in = new DataInputStream(s.getInputStream());
        FrameCodec.Frame refuse = BlockingWire.read(in, 1024);
        assertEquals(FrameCodec.REFUSE, refuse.type());
        assertEquals(FrameCodec.REFUSED_VERSION, BlockingWire.refusalCode(refuse));
        assertTrue(FrameCodec.getString(refuse.payload()).startsWith("protocol version 3 not supported: this node speaks 2"));
        assertEquals(-1, in.read(), "closed after the refusal");
    }

    @Test
    void anUnknownFrameTypeAfterTheHandshakeIsAProtocolError() throws Exception {
        TcpDist a = node("a", settings("a"));
        BlockingQueue<ClusterEvent> ea = events(a);
        Socket s = fakePeer("future", a);
        next(ea, ClusterEvent.Type.NODE_UP);
        s.getOutputStream().write(FrameCodec.encode((byte) 99, new byte[] {1, 2, 3}));
        ClusterEvent down = next(ea, ClusterEvent.Type.NODE_DOWN);
        assertEquals(DownReason.PROTOCOL_ERROR, down.reason().orElseThrow());
        assertEquals("unexpected frame type 99", down.detail());
        await(() -> a.members().isEmpty(), "the connection gone");
    }

    @Test
    void anOversizeFrameIsRefusedBeforeItsBytesAreStoredAndLoggedWithItsClaimedSize() throws Exception {
        List<String> logs = capture(TcpDist.class, resources);
        TcpDist a = node("a", settings("a").maxFrameBytes(64 * 1024));
        TcpDist b = node("b", settings("b"));
        BlockingQueue<ClusterEvent> ea = events(a);
        b.connect(Peer.of(a.self(), a.port()), TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        next(ea, ClusterEvent.Type.NODE_UP);
        Socket s = fakePeer("huge", a);
        next(ea, ClusterEvent.Type.NODE_UP);
        s.getOutputStream().write(new byte[] {0x00, 0x10, 0x00, 0x01, FrameCodec.DATA}); // 1 MiB + 1 claimed
        ClusterEvent down = next(ea, ClusterEvent.Type.NODE_DOWN);
        assertEquals(DownReason.PROTOCOL_ERROR, down.reason().orElseThrow());
        assertTrue(down.detail().contains("frame length 1048577 outside 1..65536"), down.detail());
        assertEquals(down.node(), NodeName.parse("huge@127.0.0.1"));
        await(() -> logs.stream().anyMatch(l -> l.startsWith("protocol error from huge@127.0.0.1") && l.contains("1048577")), "log line");
        assertEquals(Set.of(b.self()), a.members(), "the real peer stays connected");
    }

    @Test
    void handshakesBeyondTheCapAreClosedAtOnceAndLoggedOncePerBurst() throws Exception {
        List<String> logs = capture(TcpDist.class, resources);
        TcpDist a = node("a", settings("a").maxHandshakes(2).handshakeTimeout(Duration.ofMillis(8000)));
        Socket first = socket(a.port());
        Socket second = socket(a.port());
        await(() -> threads("gencluster-tcp-io-", "a@127.0.0.1") == 1, "the selector");
        // the first two are held in their handshakes; every further one is closed without waiting for its timeout
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            Socket extra = socket(a.port());
            assertEquals(-1, extra.getInputStream().read(), "closed at once");
        }
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 4000, "long before the handshake timeout");
        assertEquals(1, logs.stream().filter(l -> l.contains("too many handshakes in progress")).count(), logs.toString());
        first.close();
        second.close();
        TcpDist b = node("b", settings("b"));
        b.connect(Peer.of(a.self(), a.port()), TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(Set.of(b.self()), a.members(), "served again once the held handshakes ended");
    }

    @Test
    void aSecondConnectWithAShorterTimeoutFailsInItsOwnTime() throws Exception {
        TcpDist a = node("a", settings("a").handshakeTimeout(Duration.ofMillis(8000)));
        ServerSocket mute = new ServerSocket(0, 10, InetAddress.getLoopbackAddress()); // accepts, never answers
        resources.add(mute);
        Peer x = Peer.of(NodeName.parse("x@127.0.0.1"), mute.getLocalPort());
        CompletableFuture<Void> patient = a.connect(x, Duration.ofSeconds(6)).toCompletableFuture();
        long start = System.nanoTime();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.connect(x, Duration.ofMillis(300)).toCompletableFuture().get(5, TimeUnit.SECONDS));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(e.getCause() instanceof TimeoutException, e.getCause().toString());
        assertEquals("connect to x@127.0.0.1 timed out after 300 ms", e.getCause().getMessage());
        assertTrue(took >= 250 && took < 2000, "failed after " + took + " ms");
        assertFalse(patient.isDone(), "the first caller still waits for its own timeout");
    }

    @Test
    void closeEndsEveryThreadOfTheNodeAndReportsItsMembersDown() throws Exception {
        Set<String> before = new HashSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> before.add(t.getName()));
        TcpDist a = node("a", settings("a"));
        TcpDist b = node("b", settings("b"));
        TcpDist c = node("c", settings("c"));
        BlockingQueue<ClusterEvent> ea = events(a);
        a.connect(Peer.of(b.self(), b.port()), TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        a.connect(Peer.of(c.self(), c.port()), TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        a.close();
        Set<NodeName> down = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            ClusterEvent e = next(ea, ClusterEvent.Type.NODE_DOWN);
            assertEquals(DownReason.SHUTDOWN, e.reason().orElseThrow());
            down.add(e.node());
        }
        assertEquals(Set.of(b.self(), c.self()), down);
        assertEquals(0, threads("gencluster-", "a@127.0.0.1"), "close() joins or awaits every thread of a");
        await(() -> !b.members().contains(a.self()) && !c.members().contains(a.self()), "b and c see a gone");
    }

    @Test
    void aConnectCompletesOffTheSelectorThreadAfterItsNodeUpWasDelivered() throws Exception {
        TcpDist a = node("a", settings("a"));
        TcpDist b = node("b", settings("b"));
        BlockingQueue<ClusterEvent> ea = events(a);
        CompletableFuture<String> seen = a.connect(Peer.of(b.self(), b.port()), TIMEOUT).toCompletableFuture()
                .thenApply(ok -> Thread.currentThread().getName() + " " + ea.peek());
        String s = seen.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(s.endsWith(" node up b@127.0.0.1"), s);
        // on the event thread, or on this one when the stage had completed before the callback was added
        assertTrue(s.startsWith("gencluster-tcp-events-a@127.0.0.1 ") || s.startsWith(Thread.currentThread().getName() + " "), s);
    }

    /** A clock that moves only when told. */
    static final class ManualClock extends Clock {
        private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        void advance(long ms) {
            millis.addAndGet(ms);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }
}
