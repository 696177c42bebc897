package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpDistTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final List<TcpDist> started = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeEverything() throws IOException {
        for (TcpDist d : started) {
            d.close();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }

    private TcpDist node(String name, String cookie) throws IOException {
        return node(name, cookie, 200, 1000);
    }

    private TcpDist node(String name, String cookie, long tickMs, long tickTimeoutMs) throws IOException {
        TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), cookie.getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0).tick(Duration.ofMillis(tickMs)).tickTimeout(Duration.ofMillis(tickTimeoutMs))
                .handshakeTimeout(Duration.ofMillis(1000)).build());
        d.start();
        started.add(d);
        return d;
    }

    private static Peer peer(TcpDist d) {
        return Peer.of(d.self(), d.port());
    }

    private static BlockingQueue<ClusterEvent> events(TcpDist d) {
        BlockingQueue<ClusterEvent> q = new LinkedBlockingQueue<>();
        d.addListener(q::add);
        return q;
    }

    private static ClusterEvent next(BlockingQueue<ClusterEvent> q, Predicate<ClusterEvent> matching) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            ClusterEvent e = q.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no matching event within " + TIMEOUT);
            }
            if (matching.test(e)) {
                return e;
            }
        }
    }

    private static void connect(TcpDist from, TcpDist to) throws Exception {
        from.connect(peer(to), TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    }

    @Test
    void threeNodesFormAFullMesh() throws Exception {
        TcpDist a = node("a", "secret-cookie-for-tests");
        TcpDist b = node("b", "secret-cookie-for-tests");
        TcpDist c = node("c", "secret-cookie-for-tests");
        BlockingQueue<ClusterEvent> ea = events(a);
        BlockingQueue<ClusterEvent> eb = events(b);
        BlockingQueue<ClusterEvent> ec = events(c);
        connect(a, b);
        connect(a, c);
        connect(b, c);
        // b's connect may return at once: c, told of b by a, dialled first, and b (the acceptor)
        // is up a moment before c reads b's ACCEPT; so each node's view is checked once it saw both ups
        awaitUps(ea, b.self(), c.self());
        awaitUps(eb, a.self(), c.self());
        awaitUps(ec, a.self(), b.self());
        assertEquals(Set.of(b.self(), c.self()), a.members());
        assertEquals(Set.of(a.self(), c.self()), b.members());
        assertEquals(Set.of(a.self(), b.self()), c.members());
    }

    @Test
    void aDialWaitingForThePeersConnectionTakesItWhenItComes() throws Exception {
        // b, holding a stale connection to a (its peer's packets lost, not yet timed out), refuses a's
        // dial as 'already connected'; a then waits for b's connection. When b's stale connection
        // dies and b dials, a must take it, not refuse it as a simultaneous connect of its own
        TcpDist a = node("a", "secret-cookie-for-tests");
        TcpDist b = node("b", "secret-cookie-for-tests");
        try (ServerSocket staleB = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> dial = a.connect(Peer.of(b.self(), staleB.getLocalPort()), TIMEOUT).toCompletableFuture();
            try (Socket s = staleB.accept()) {
                s.setSoTimeout((int) TIMEOUT.toMillis());
                // b proves itself in its refusal (a refusal that proves nothing is not trusted)
                Handshake.Acceptor acceptor = BlockingWire.accept(new Handshake(b.self(), "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8),
                        new java.util.Random(9)), new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()),
                        claimed -> { }, b.port());
                s.getOutputStream().write(acceptor.provenRefusal(FrameCodec.REFUSED_ALREADY_CONNECTED, "already connected to a@127.0.0.1").reply());
                while (s.getInputStream().read() >= 0) {
                    // until a closes: it has read the refusal and now waits for b
                }
            }
            long start = System.nanoTime();
            b.connect(peer(a), Duration.ofSeconds(3)).toCompletableFuture().get(4, TimeUnit.SECONDS);
            dial.get(1, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "took the connect timeout");
            assertEquals(Set.of(b.self()), a.members());
        }
    }

    private static void awaitUps(BlockingQueue<ClusterEvent> q, NodeName... nodes) throws InterruptedException {
        Set<NodeName> waiting = new java.util.HashSet<>(Set.of(nodes));
        while (!waiting.isEmpty()) {
            waiting.remove(next(q, e -> e.type() == ClusterEvent.Type.NODE_UP && waiting.contains(e.node())).node());
        }
    }

    @Test
    void bothSidesReportNodeUpAndTheRightReasonForDown() throws Exception {
        TcpDist a = node("a", "secret-cookie-for-tests");
        TcpDist b = node("b", "secret-cookie-for-tests");
        BlockingQueue<ClusterEvent> ea = events(a);
        BlockingQueue<ClusterEvent> eb = events(b);
        connect(a, b);
        next(ea, e -> e.type() == ClusterEvent.Type.NODE_UP && e.node().equals(b.self()));
        next(eb, e -> e.type() == ClusterEvent.Type.NODE_UP && e.node().equals(a.self()));
        a.disconnect(b.self());
        assertEquals(DownReason.DISCONNECTED, next(ea, e -> e.type() == ClusterEvent.Type.NODE_DOWN).reason().orElseThrow());
        assertEquals(DownReason.CONNECTION_CLOSED, next(eb, e -> e.type() == ClusterEvent.Type.NODE_DOWN).reason().orElseThrow());
        assertTrue(a.members().isEmpty());
    }

    @Test
    void connectingToAConnectedNodeSucceedsAtOnceWithoutASecondConnection() throws Exception {
        TcpDist a = node("a", "secret-cookie-for-tests");
        TcpDist b = node("b", "secret-cookie-for-tests");
        connect(a, b);
        connect(a, b);
        connect(b, a);
        assertEquals(Set.of(b.self()), a.members());
        assertEquals(Set.of(a.self()), b.members());
    }

    @Test
    void wrongCookieIsRefusedAndLoggedOnBothSidesWithoutRevealingIt() throws Exception {
        try (LogLines captured = new LogLines(TcpDist.class)) {
            List<String> logs = captured.lines;
            TcpDist a = node("a", "right-cookie-for-tests");
            TcpDist b = node("b", "other-cookie-for-tests");
            ExecutionException e = assertThrows(ExecutionException.class, () -> connect(a, b));
            assertTrue(e.getCause().getMessage().contains("cookie mismatch between a@127.0.0.1 and b@127.0.0.1"), e.getCause().getMessage());
            assertTrue(a.members().isEmpty());
            assertTrue(b.members().isEmpty());
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (logs.stream().filter(l -> l.contains("cookie mismatch")).count() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            // the dialling side names the node it dialled, the other side names the node that dialled it
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("refused connection from dialled node b@127.0.0.1")
                    && l.contains("cookie mismatch")), logs.toString());
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("refused connection from 127.0.0.1: cookie mismatch between a@127.0.0.1 and b@127.0.0.1")),
                    logs.toString());
            assertFalse(logs.stream().anyMatch(l -> l.contains("right-cookie-for-tests") || l.contains("other-cookie-for-tests")), logs.toString());
        }
    }

    @Test
    void dialingANameThatIsNotTheNodeThereFails() throws Exception {
        TcpDist a = node("a", "secret-cookie-for-tests");
        TcpDist b = node("b", "secret-cookie-for-tests");
        Peer wrong = Peer.of(NodeName.parse("notb@127.0.0.1"), b.port());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.connect(wrong, TIMEOUT).toCompletableFuture().get(15, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("dialled notb@127.0.0.1 but this node is b@127.0.0.1"), e.getCause().getMessage());
        assertTrue(a.members().isEmpty());
    }

    /**
     * Each round a new pair, closed at its end, so each pair's events are known in full: a node up
     * and a node down on each side, nothing else. (Reusing one pair would let a round's losing dial
     * in after the round's disconnect: the pair's one connection gone, it is admitted, a real
     * connection that comes up and goes down, in the next round's events.)
     */
    @Test
    void simultaneousConnectsFromBothSidesLeaveOneConnection() throws Exception {
        for (int round = 0; round < 50; round++) {
            TcpDist a = node("a", "secret-cookie-for-tests");
            TcpDist b = node("b", "secret-cookie-for-tests");
            BlockingQueue<ClusterEvent> ea = events(a);
            BlockingQueue<ClusterEvent> eb = events(b);
            CompletableFuture<Void> ab = a.connect(peer(b), TIMEOUT).toCompletableFuture();
            CompletableFuture<Void> ba = b.connect(peer(a), TIMEOUT).toCompletableFuture();
            ab.get(15, TimeUnit.SECONDS);
            ba.get(15, TimeUnit.SECONDS);
            assertEquals(Set.of(b.self()), a.members(), "round " + round);
            assertEquals(Set.of(a.self()), b.members(), "round " + round);
            assertEquals(ClusterEvent.Type.NODE_UP, next(ea, e -> true).type(), "round " + round);
            assertEquals(ClusterEvent.Type.NODE_UP, next(eb, e -> true).type(), "round " + round);
            a.close();
            assertEquals(DownReason.SHUTDOWN, next(ea, e -> true).reason().orElseThrow(), "round " + round);
            assertEquals(DownReason.CONNECTION_CLOSED, next(eb, e -> true).reason().orElseThrow(), "round " + round);
            b.close();
            assertTrue(ea.isEmpty() && eb.isEmpty(), "one connection, one node up and down on each side, in round " + round
                    + ": a saw more " + ea + ", b saw more " + eb);
            started.remove(a);
            started.remove(b);
        }
    }

    @Test
    void aPeerThatGoesSilentIsDeclaredDownByHeartbeatTimeout() throws Exception {
        TcpDist a = node("a", "secret-cookie-for-tests", 100, 600);
        BlockingQueue<ClusterEvent> ea = events(a);
        // a raw peer that completes the handshake, then never sends another byte
        Handshake fake = new Handshake(NodeName.parse("mute@127.0.0.1"), "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8), new java.util.Random(1));
        Socket s = new Socket(InetAddress.getLoopbackAddress(), a.port());
        sockets.add(s);
        BlockingWire.initiate(fake, new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()), a.self(), 1);
        next(ea, e -> e.type() == ClusterEvent.Type.NODE_UP);
        long up = System.nanoTime();
        ClusterEvent down = next(ea, e -> e.type() == ClusterEvent.Type.NODE_DOWN);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - up);
        assertEquals(DownReason.HEARTBEAT_TIMEOUT, down.reason().orElseThrow());
        assertTrue(took >= 500, "declared down after " + took + " ms, before the 600 ms window");
    }

    @Test
    void garbageAndOversizeFramesCloseOnlyThatConnection() throws Exception {
        TcpDist a = node("a", "secret-cookie-for-tests");
        TcpDist b = node("b", "secret-cookie-for-tests");
        connect(b, a);
        for (byte[] bad : List.of(
                new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}, // 2 GiB frame announced
                "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0, 0, 0, 5, 1, 'X', 'Y', 'Z', 'W'})) { // HELLO with a wrong magic
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), a.port())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(bad);
                s.getOutputStream().flush();
                // the node closes the connection (possibly after a REFUSE frame): read to EOF
                while (s.getInputStream().read() >= 0) {
                    // drain
                }
            }
        }
        assertEquals(Set.of(b.self()), a.members(), "the real peer stays connected");
    }

    @Test
    void aHandshakeThatNeverFinishesIsClosedAfterTheTimeout() throws Exception {
        TcpDist a = node("a", "secret-cookie-for-tests");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), a.port())) {
            s.setSoTimeout(5000);
            long start = System.nanoTime();
            assertEquals(-1, s.getInputStream().read(), "closed by the node");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 900 && took < 4000, "closed after " + took + " ms with a 1000 ms handshake timeout");
        }
    }

    @Test
    void aClosedPortFailsWithinTheTimeout() throws Exception {
        TcpDist a = node("a", "secret-cookie-for-tests");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> a.connect(
                Peer.of(NodeName.parse("x@127.0.0.1"), closedPort), Duration.ofSeconds(2)).toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().startsWith("cannot connect to x@127.0.0.1 at 127.0.0.1:" + closedPort), e.getCause().getMessage());
    }

    @Test
    void connectingToSelfOrWithoutAPortFailsAtOnce() throws Exception {
        TcpDist a = new TcpDist(TcpDistSettings.builder(NodeName.parse("a@127.0.0.1"), "sixteen-byte-cookie".getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0).build());
        a.start();
        started.add(a);
        assertTrue(a.connect(Peer.of(a.self()), TIMEOUT).toCompletableFuture().isCompletedExceptionally());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.connect(Peer.of(NodeName.parse("b@127.0.0.1")), TIMEOUT).toCompletableFuture().get(1, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("no port known for b@127.0.0.1"), e.getCause().getMessage());
    }

    @Test
    void closeReportsShutdownAndLeavesNoThreads() throws Exception {
        TcpDist a = node("a", "secret-cookie-for-tests");
        TcpDist b = node("b", "secret-cookie-for-tests");
        BlockingQueue<ClusterEvent> ea = events(a);
        BlockingQueue<ClusterEvent> eb = events(b);
        connect(a, b);
        a.close();
        assertEquals(DownReason.SHUTDOWN, next(ea, e -> e.type() == ClusterEvent.Type.NODE_DOWN).reason().orElseThrow());
        assertEquals(DownReason.CONNECTION_CLOSED, next(eb, e -> e.type() == ClusterEvent.Type.NODE_DOWN).reason().orElseThrow());
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (threadsOf("a@127.0.0.1") > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, threadsOf("a@127.0.0.1"), "threads of a left after close");
    }

    private static long threadsOf(String node) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("gencluster-tcp-") && t.getName().endsWith(node)).count();
    }
}
