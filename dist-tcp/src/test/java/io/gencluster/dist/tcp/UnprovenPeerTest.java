package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.wire.BlockingWire;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.Handshake;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that have not proved the cookie: they get nothing computed from it (no offline guessing),
 * and nothing they do touches a live connection, a dial or a node event.
 */
class UnprovenPeerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] COOKIE = "the-shared-cookie".getBytes(StandardCharsets.UTF_8);
    private static final byte[] WRONG = "a-guess".getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private TcpDist node(String name, byte[] cookie) throws IOException {
        TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), cookie).bindAddress("127.0.0.1").port(0)
                .handshakeTimeout(Duration.ofMillis(2000)).epmd(false, 4369, false).build());
        d.start();
        resources.add(d);
        return d;
    }

    private Socket socket(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout((int) TIMEOUT.toMillis());
        resources.add(s);
        return s;
    }

    /** Every frame the peer sends until it closes the connection. */
    private static List<FrameCodec.Frame> framesUntilClosed(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        List<FrameCodec.Frame> frames = new ArrayList<>();
        try {
            while (true) {
                frames.add(BlockingWire.read(in, FrameCodec.MAX_HANDSHAKE_FRAME));
            }
        } catch (EOFException | SocketException closed) {
            return frames;
        }
    }

    @Test
    void theChallengeOfAnAcceptorDoesNotDependOnTheCookie() throws Exception {
        // the same nonces, two cookies: an attacker who connects receives the same bytes whatever the cookie
        byte[] hello = new Handshake(NodeName.parse("x@127.0.0.1"), WRONG, new Random(1)).new Initiator(NodeName.parse("b@127.0.0.1")).hello(1);
        List<byte[]> challenges = new ArrayList<>();
        for (byte[] cookie : List.of(COOKIE, "another-cookie-entirely".getBytes(StandardCharsets.UTF_8))) {
            Handshake.Acceptor acceptor = new Handshake(NodeName.parse("b@127.0.0.1"), cookie, new Random(2)).new Acceptor(claimed -> { }, 4370);
            FrameCodec.Frame f = BlockingWire.read(new DataInputStream(new java.io.ByteArrayInputStream(hello)), 1024);
            challenges.add(acceptor.onFrame(f));
        }
        assertEquals(FrameCodec.CHALLENGE, challenges.get(0)[4]);
        assertArrayEquals(challenges.get(0), challenges.get(1), "the CHALLENGE depends on the cookie");
    }

    @Test
    void whoConnectsAndSaysHelloGetsANonceAndARefusalButNeverAProof() throws Exception {
        TcpDist b = node("b", COOKIE);
        Socket s = socket(b.port());
        Handshake.Initiator guesser = new Handshake(NodeName.parse("x@127.0.0.1"), WRONG, new Random(3)).new Initiator(b.self());
        s.getOutputStream().write(guesser.hello(1));
        FrameCodec.Frame challenge = BlockingWire.read(new DataInputStream(s.getInputStream()), 1024);
        assertEquals(FrameCodec.CHALLENGE, challenge.type());
        // nonce, listening port, name: nothing else, so no proof field to guess the cookie against
        int expected = 16 + 2 + 2 + b.self().toString().length();
        assertEquals(expected, challenge.payload().remaining(), "CHALLENGE payload beyond nonce, port and name");
        // the guesser's REPLY, with a proof made from a wrong cookie, is refused: no ACCEPT, no proof
        s.getOutputStream().write(guesser.onFrame(challenge));
        List<FrameCodec.Frame> after = framesUntilClosed(s);
        assertEquals(1, after.size(), "frames after a wrong REPLY");
        assertEquals(FrameCodec.REFUSE, after.get(0).type());
        ByteBuffer refusal = after.get(0).payload();
        assertEquals(FrameCodec.REFUSED_COOKIE, refusal.get());
        FrameCodec.getString(refusal);
        assertFalse(refusal.hasRemaining(), "the refusal of a wrong cookie carries a proof");
        assertTrue(b.members().isEmpty());
    }

    @Test
    void anOldProtocolVersionIsRefusedBothWaysWithAClearReason() throws Exception {
        TcpDist a = node("a", COOKIE);
        // an old node dials: refused, naming both versions
        Socket s = socket(a.port());
        s.getOutputStream().write(BlockingWire.hello(1, "old@127.0.0.1", a.self().toString()));
        FrameCodec.Frame refuse = framesUntilClosed(s).get(0);
        assertEquals(FrameCodec.REFUSE, refuse.type());
        assertEquals(FrameCodec.REFUSED_VERSION, BlockingWire.refusalCode(refuse));
        String reason = FrameCodec.getString(refuse.payload());
        assertTrue(reason.startsWith("protocol version 1 not supported: this node speaks 2"), reason);
        // this node dials an old node, which refuses as old nodes do: the dial fails with that reason
        try (ServerSocket old = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> dial = a.connect(Peer.of(NodeName.parse("old@127.0.0.1"), old.getLocalPort()), TIMEOUT).toCompletableFuture();
            try (Socket in = old.accept()) {
                in.getOutputStream().write(Handshake.refusal(FrameCodec.REFUSED_VERSION, "protocol version 2 not supported (this node speaks 1)").reply());
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> dial.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                assertTrue(e.getCause().getMessage().contains("protocol version 2 not supported (this node speaks 1)"), e.getCause().getMessage());
            }
        }
    }

    @Test
    void aRefusalThatProvesNothingDoesNotMakeADialWait() throws Exception {
        // whoever answers a dial and claims 'already connected' without proving the cookie is not
        // believed: the dial fails at once instead of waiting, to its timeout, for a connection that never comes
        TcpDist a = node("a", COOKIE);
        try (ServerSocket impostor = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            CompletableFuture<Void> dial = a.connect(Peer.of(NodeName.parse("b@127.0.0.1"), impostor.getLocalPort()), TIMEOUT)
                    .toCompletableFuture();
            try (Socket s = impostor.accept()) {
                s.setSoTimeout((int) TIMEOUT.toMillis());
                BlockingWire.read(new DataInputStream(s.getInputStream()), 1024); // the HELLO
                s.getOutputStream().write(Handshake.refusal(FrameCodec.REFUSED_ALREADY_CONNECTED, "already connected to a@127.0.0.1").reply());
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> dial.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                assertTrue(e.getCause().getMessage().contains("without proving the cookie"), e.getCause().getMessage());
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took < 2000, "the dial waited " + took + " ms on an unproven refusal");
        }
    }

    @Test
    void anAttackerWithANodesNameButNotTheCookieNeitherSplitsNorStallsNorCancels() throws Exception {
        TcpDist a = node("a", COOKIE);
        TcpDist b = node("b", COOKIE);
        TcpDist c = node("c", COOKIE);
        List<ClusterEvent> downs = new CopyOnWriteArrayList<>();
        for (TcpDist n : List.of(a, b)) {
            n.addListener(e -> {
                if (e.type() == ClusterEvent.Type.NODE_DOWN) {
                    downs.add(e);
                }
            });
        }
        int count = 100_000;
        AtomicInteger next = new AtomicInteger();
        List<String> disorder = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(1);
        b.addMailbox("stream", (from, payload) -> {
            int want = next.getAndIncrement();
            int got = ByteBuffer.wrap(payload).getInt();
            if (got != want && disorder.size() < 5) {
                disorder.add("expected " + want + ", got " + got);
            }
            if (want == count - 1) {
                all.countDown();
            }
        });
        a.connect(Peer.of(b.self(), b.port()), TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        // 1,000 connections claiming b at a, a at b, and c at a (while a dials c), each answering the
        // challenge with a proof made from a guessed cookie
        AtomicInteger attacks = new AtomicInteger();
        List<Throwable> attackerErrors = new CopyOnWriteArrayList<>();
        Thread attacker = new Thread(() -> {
            try {
                for (int i = 0; i < 1000; i++) {
                    TcpDist target = i % 3 == 1 ? b : a;
                    NodeName claimed = i % 3 == 0 ? b.self() : i % 3 == 1 ? a.self() : c.self();
                    attack(target, claimed, i);
                    attacks.incrementAndGet();
                }
            } catch (Throwable t) {
                attackerErrors.add(t);
            }
        }, "attacker");
        attacker.start();
        for (int i = 0; i < count; i++) {
            if (i == count / 2) {
                a.connect(Peer.of(c.self(), c.port()), TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            a.send(b.self(), "stream", ByteBuffer.allocate(4).putInt(i).array(), TIMEOUT);
        }
        attacker.join(TimeUnit.SECONDS.toMillis(120));
        assertTrue(all.await(60, TimeUnit.SECONDS), "only " + next.get() + " of " + count + " arrived");
        assertEquals(List.of(), attackerErrors);
        assertEquals(1000, attacks.get());
        assertEquals(List.of(), disorder, "messages lost or reordered");
        assertEquals(count, next.get());
        assertEquals(List.of(), downs, "node-down events");
        assertEquals(Set.of(b.self(), c.self()), a.members());
        assertTrue(b.members().contains(a.self()), "b's members: " + b.members()); // and c, told by a (transitive mesh)
    }

    /** One attack: HELLO claiming {@code claimed}, a REPLY with a guessed proof; the target must refuse it. */
    private static void attack(TcpDist target, NodeName claimed, int i) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), target.port())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            Handshake.Initiator guesser = new Handshake(claimed, WRONG, new Random(i)).new Initiator(target.self());
            s.getOutputStream().write(guesser.hello(1));
            DataInputStream in = new DataInputStream(s.getInputStream());
            FrameCodec.Frame f = BlockingWire.read(in, 1024);
            if (f.type() == FrameCodec.CHALLENGE) {
                s.getOutputStream().write(guesser.onFrame(f));
                f = BlockingWire.read(in, 1024);
            }
            assertEquals(FrameCodec.REFUSE, f.type(), "answer to an attacker claiming " + claimed);
            assertNotEquals(FrameCodec.ACCEPT, f.type());
        }
    }
}
