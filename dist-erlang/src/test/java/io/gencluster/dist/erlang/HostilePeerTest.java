package io.gencluster.dist.erlang;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.erlang.HandshakeMessage.Incoming;
import io.gencluster.dist.erlang.HandshakeMessage.Outgoing;
import io.gencluster.erlang.ErlInteger;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers without the cookie, tried as an attacker would: an impostor claiming a connected node's
 * name, one claiming a node this node dials, a reflected challenge, a flood of held handshakes
 * from one address, garbage and log injection. None may split, stall or flood a node.
 */
class HostilePeerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] COOKIE = "the-cookie-of-the-hostile-peer-test".getBytes(StandardCharsets.UTF_8);
    private final List<ErlangDist> nodes = new ArrayList<>();

    @AfterEach
    void tearDown() {
        nodes.forEach(ErlangDist::close);
    }

    private ErlangDist node(String name) throws Exception {
        ErlangDist d = new ErlangDist(ErlangDistSettings.builder(NodeName.parse(name), COOKIE).bindAddress("127.0.0.1")
                .handshakeTimeout(Duration.ofSeconds(5)).mailboxQueue(200_000).build());
        nodes.add(d);
        d.start();
        return d;
    }

    private static Peer peer(ErlangDist d) {
        return Peer.of(d.self(), d.port());
    }

    private static DataInputStream in(Socket s) throws IOException {
        return new DataInputStream(new BufferedInputStream(s.getInputStream()));
    }

    private static DataOutputStream out(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream()));
    }

    private static void sendName(DataOutputStream out, String name) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        new Outgoing('N').u64(DistFlags.ours(false)).u32(1).u16(n.length).bytes(n).send(out);
    }

    private static String status(DataInputStream in) throws IOException {
        Incoming s = Incoming.read(in, "status");
        s.tag('s');
        return s.text(s.remaining());
    }

    /**
     * Dials {@code port} as {@code name} without the cookie: says its old connection is dead when
     * told {@code alive}, answers the challenge with a made-up digest. Returns the status it was told.
     */
    private static String impostor(int port, String name) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            DataInputStream in = in(s);
            DataOutputStream out = out(s);
            sendName(out, name);
            String status = status(in);
            if (status.equals("alive")) {
                new Outgoing('s').bytes("true".getBytes(StandardCharsets.US_ASCII)).send(out);
            }
            if (status.equals("nok")) {
                return status;
            }
            Incoming.read(in, "challenge");
            new Outgoing('r').u32(12345).bytes(new byte[16]).send(out);
            assertEquals(-1, in.read(), "no challenge ack for a made-up digest");
            return status;
        }
    }

    @Test
    void anImpostorReconnecting1000TimesWithoutTheCookieNeitherSplitsNodesNorLosesMessages() throws Exception {
        ErlangDist a = node("a@127.0.0.1");
        ErlangDist b = node("b@127.0.0.1");
        int messages = 100_000;
        AtomicInteger received = new AtomicInteger();
        CountDownLatch allReceived = new CountDownLatch(messages);
        b.addMailbox("sink", (from, payload) -> {
            received.incrementAndGet();
            allReceived.countDown();
        });
        AtomicInteger downs = new AtomicInteger();
        a.addListener(e -> downs.addAndGet(e.type() == ClusterEvent.Type.NODE_DOWN ? 1 : 0));
        b.addListener(e -> downs.addAndGet(e.type() == ClusterEvent.Type.NODE_DOWN ? 1 : 0));
        a.connect(peer(b), WAIT).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < messages; i++) {
                    a.send(b.self(), "sink", ErlInteger.of(i), "source", WAIT);
                }
            } catch (Exception e) {
                throw new AssertionError("message lost: " + e.getMessage(), e);
            }
        });
        try (LogCapture log = new LogCapture(Level.INFO)) {
            for (int k = 0; k < 1000; k++) {
                // b lists a as connected; the impostor claims to be a, whose "old" connection is dead
                assertEquals("alive", impostor(b.port(), "a@127.0.0.1"));
            }
            assertTrue(log.lines().size() <= 10, "1,000 wrong cookies logged in " + log.lines().size() + " lines: " + log.lines());
        }
        stream.get(120, TimeUnit.SECONDS);
        allReceived.await(WAIT.toMillis(), TimeUnit.MILLISECONDS); // the mailbox thread drains what was queued
        assertEquals(messages, received.get(), "messages received");
        assertEquals(0, downs.get(), "node-down events");
        assertEquals(Set.of(b.self()), a.members());
        assertEquals(Set.of(a.self()), b.members());
    }

    @Test
    void anImpostorClaimingTheNodeWeDialCannotCancelTheDial() throws Exception {
        ErlangDist a = node("a@127.0.0.1");
        NodeName b = NodeName.parse("b@127.0.0.1"); // sorts after a: a dial from "b" wins a simultaneous connect
        try (ServerSocket realB = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<Void> dial = a.connect(Peer.of(b, realB.getLocalPort()), WAIT).toCompletableFuture();
            try (Socket held = realB.accept()) { // a's dial is in progress: b has not answered yet
                assertEquals("ok_simultaneous", impostor(a.port(), b.toString()));
                Handshake realHandshake = new Handshake(b, COOKIE, DistFlags.ours(false), 1, new Random(5));
                assertDoesNotThrow(() -> realHandshake.accept(in(held), out(held), initiator -> "ok"),
                        "a's dial survives the impostor and completes with the real node");
                dial.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(Set.of(b), a.members());
            }
        }
    }

    @Test
    void aNokAnswerWithoutTheNodesOwnConnectionIsFollowedByANewDial() throws Exception {
        ErlangDist a = node("a@127.0.0.1");
        NodeName b = NodeName.parse("b@127.0.0.1");
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            listener.setSoTimeout((int) WAIT.toMillis());
            CompletableFuture<Void> dial = a.connect(Peer.of(b, listener.getLocalPort()), WAIT).toCompletableFuture();
            try (Socket first = listener.accept()) { // "I am dialling you myself", and then never does
                DataInputStream in = in(first);
                Incoming.read(in, "send_name");
                new Outgoing('s').bytes("nok".getBytes(StandardCharsets.US_ASCII)).send(out(first));
                assertEquals(-1, in.read());
            }
            try (Socket second = listener.accept()) {
                Handshake realB = new Handshake(b, COOKIE, DistFlags.ours(false), 1, new Random(6));
                realB.accept(in(second), out(second), initiator -> "ok");
                dial.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(Set.of(b), a.members());
            }
        }
    }

    @Test
    void aReflectedChallengeIsRefusedSoTheReflectorGetsNoDigest() throws Exception {
        ErlangDist a = node("a@127.0.0.1");
        NodeName evil = NodeName.parse("evil@127.0.0.1");
        BlockingQueue<ClusterEvent> events = new LinkedBlockingQueue<>();
        a.addListener(events::add);
        try (Socket toA = new Socket("127.0.0.1", a.port()); ServerSocket evilListener = new ServerSocket(0, 50,
                InetAddress.getByName("127.0.0.1"))) {
            DataInputStream aIn = in(toA);
            DataOutputStream aOut = out(toA);
            sendName(aOut, evil.toString());
            assertEquals("ok", status(aIn));
            Incoming c = Incoming.read(aIn, "challenge");
            c.tag('N');
            c.u64();
            long challenge = c.u32();

            // a is made to dial evil (listed by discovery, say), and is sent its own challenge back
            CompletableFuture<Void> dial = a.connect(Peer.of(evil, evilListener.getLocalPort()), WAIT).toCompletableFuture();
            try (Socket fromA = evilListener.accept()) {
                DataInputStream in = in(fromA);
                DataOutputStream out = out(fromA);
                Incoming.read(in, "send_name");
                new Outgoing('s').bytes("ok".getBytes(StandardCharsets.US_ASCII)).send(out);
                byte[] name = evil.toString().getBytes(StandardCharsets.UTF_8);
                new Outgoing('N').u64(DistFlags.ours(false)).u32(challenge).u32(1).u16(name.length).bytes(name).send(out);
                try {
                    Incoming reply = Incoming.read(in, "challenge reply");
                    reply.tag('r');
                    reply.u32();
                    byte[] digest = reply.bytes(16); // a's answer to its own challenge: forwarded to a's acceptor
                    new Outgoing('r').u32(7).bytes(digest).send(aOut);
                    HandshakeMessage.read(aIn, "challenge ack");
                } catch (IOException refused) {
                    // a sent no digest: the reflection failed
                }
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> dial.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("reflection"), e.getCause().getMessage());
            assertFalse(a.members().contains(evil), "the reflector got in: " + a.members());
            assertTrue(events.stream().noneMatch(ev -> ev.type() == ClusterEvent.Type.NODE_UP), events.toString());
        }
    }

    @Test
    void heldHandshakesFromOneAddressLeaveRoomForANodeElsewhereAndForOurDials() throws Exception {
        ErlangDist a = node("a@127.0.0.1");
        List<Socket> flood = new ArrayList<>();
        try {
            for (int k = 0; k < 64; k++) {
                flood.add(from127002(a.port()));
            }
            // one more from the same address is closed at once: the accept loop has seen the flood
            try (Socket probe = from127002(a.port())) {
                probe.setSoTimeout((int) WAIT.toMillis());
                assertEquals(-1, probe.getInputStream().read());
            }
            ErlangDist b = node("b@127.0.0.1");
            long start = System.nanoTime();
            b.connect(peer(a), Duration.ofSeconds(2)).toCompletableFuture().get(2, TimeUnit.SECONDS);
            ErlangDist c = node("c@127.0.0.1");
            a.connect(peer(c), Duration.ofSeconds(2)).toCompletableFuture().get(2, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms < 2000, "joined after " + ms + " ms");
            assertEquals(Set.of(b.self(), c.self()), a.members());
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
    }

    /** A connection to {@code port} on 127.0.0.1 from 127.0.0.2 that sends nothing. */
    private static Socket from127002(int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress("127.0.0.2", 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    @Test
    void thirtySecondsOfGarbageFromTwentyConnectionsAddAFewDozenLogLines() throws Exception {
        ErlangDist a = node("a@127.0.0.1");
        AtomicInteger connections = new AtomicInteger();
        try (LogCapture log = new LogCapture(Level.INFO)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<CompletableFuture<Void>> attackers = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                Random random = new Random(t);
                attackers.add(CompletableFuture.runAsync(() -> {
                    byte[] garbage = new byte[64];
                    while (System.nanoTime() < end) {
                        random.nextBytes(garbage);
                        try (Socket s = new Socket("127.0.0.1", a.port())) {
                            s.getOutputStream().write(garbage);
                            connections.incrementAndGet();
                        } catch (IOException e) {
                            // closed under us: another refused connection
                        }
                    }
                }));
            }
            CompletableFuture.allOf(attackers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            List<String> lines = log.lines();
            assertTrue(lines.size() <= 40, connections.get() + " garbage connections logged in " + lines.size() + " lines: " + lines);
            assertTrue(lines.stream().noneMatch(l -> l.contains("null")), lines.toString());
        }
    }

    @Test
    void aNameWithCarriageReturnAndLineFeedIsLoggedEscaped() throws Exception {
        ErlangDist a = node("a@127.0.0.1");
        try (LogCapture log = new LogCapture(Level.FINE)) {
            try (Socket s = new Socket("127.0.0.1", a.port())) {
                s.setSoTimeout((int) WAIT.toMillis());
                sendName(out(s), "evil\r\nWARNING: forged line@127.0.0.1");
                assertEquals(-1, s.getInputStream().read());
            }
            log.await(l -> l.contains("forged line"), WAIT);
            List<String> lines = log.lines();
            assertTrue(lines.stream().anyMatch(l -> l.contains("evil\\r\\nWARNING: forged line")), lines.toString());
            assertTrue(lines.stream().noneMatch(l -> l.contains("\r") || l.contains("\n")), lines.toString());
        }
    }

    @Test
    void frameLengthsNearTheIntegerLimitAreBounded() throws Exception {
        NodeName n = NodeName.parse("a@127.0.0.1");
        assertEquals("key 'max.frame.bytes' has invalid value '2147483647': must be at most 1073741824 (1 GiB)",
                assertThrows(IllegalArgumentException.class, () -> ErlangDistSettings.builder(n, COOKIE)
                        .maxFrameBytes(Integer.MAX_VALUE).sendQueueBytes(Integer.MAX_VALUE).build()).getMessage());
        ErlangDistSettings largest = ErlangDistSettings.builder(n, COOKIE).maxFrameBytes(1 << 30).sendQueueBytes(Integer.MAX_VALUE)
                .build();
        assertEquals(1 << 30, largest.maxFrameBytes);
    }
}
