package io.gencluster.dist.erlang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlBinary;
import io.gencluster.erlang.ErlInteger;
import io.gencluster.erlang.ErlTuple;
import io.gencluster.erlang.Term;
import io.gencluster.erlang.TermCodec;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Java nodes speaking Erlang's distribution protocol to each other on loopback (the same code
 * meets real Erlang nodes in the itests): both handshake roles, messages by name and by pid,
 * refusals, simultaneous connects, silence and broken frames.
 */
class ErlangDistTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<ErlangDist> nodes = new ArrayList<>();

    @AfterEach
    void tearDown() {
        nodes.forEach(ErlangDist::close);
    }

    private ErlangDist node(String name, String cookie, int tickSeconds) throws Exception {
        // short cookies, as Erlang clusters' often are: what these tests are about is elsewhere
        ErlangDist d = new ErlangDist(ErlangDistSettings.builder(NodeName.parse(name), cookie.getBytes(StandardCharsets.UTF_8)).allowShortCookie(true)
                .bindAddress("127.0.0.1").netTickTime(Duration.ofSeconds(tickSeconds)).handshakeTimeout(Duration.ofSeconds(5))
                .build());
        nodes.add(d);
        d.start();
        return d;
    }

    private static Peer peer(ErlangDist d) {
        return Peer.of(d.self(), d.port());
    }

    private static void connect(ErlangDist from, ErlangDist to) throws Exception {
        from.connect(peer(to), WAIT).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static BlockingQueue<ClusterEvent> events(ErlangDist d) {
        BlockingQueue<ClusterEvent> q = new LinkedBlockingQueue<>();
        d.addListener(q::add);
        return q;
    }

    private static ClusterEvent next(BlockingQueue<ClusterEvent> q) throws InterruptedException {
        ClusterEvent e = q.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + WAIT);
        }
        return e;
    }

    @Test
    void twoNodesConnectAndExchangeTermsByNameAndByPid() throws Exception {
        ErlangDist a = node("a@127.0.0.1", "c", 60);
        ErlangDist b = node("b@127.0.0.1", "c", 60);
        BlockingQueue<Term> atB = new LinkedBlockingQueue<>();
        BlockingQueue<Term> atA = new LinkedBlockingQueue<>();
        b.addMailbox("inbox", (from, payload) -> atB.add(decode(payload)));
        a.addMailbox("replies", (from, payload) -> atA.add(decode(payload)));
        BlockingQueue<ClusterEvent> bEvents = events(b);

        connect(a, b);
        assertEquals("node up a@127.0.0.1", next(bEvents).toString());
        assertEquals(java.util.Set.of(b.self()), a.members());

        Term hello = ErlTuple.of(ErlAtom.of("hello"), a.pid("replies"), ErlBinary.of("payload"), ErlInteger.of(-42));
        a.send(b.self(), "inbox", hello, "replies", WAIT);
        Term got = atB.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(hello, got);

        b.send(a.pid("replies"), ErlAtom.of("pong"), WAIT); // the pid a handed out, as an Erlang process replies
        assertEquals(ErlAtom.of("pong"), atA.poll(WAIT.toSeconds(), TimeUnit.SECONDS));

        b.send(a.self(), "replies", TermCodec.encode(ErlAtom.of("raw")), WAIT); // Messenger's byte[] form
        assertEquals(ErlAtom.of("raw"), atA.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThrows(io.gencluster.api.MessagingException.class, () -> b.send(a.self(), "replies", new byte[] {1, 2}, WAIT),
                "a payload that is not one encoded term");

        a.disconnect(b.self());
        ClusterEvent down = next(bEvents);
        assertEquals(ClusterEvent.Type.NODE_DOWN, down.type());
        assertEquals(DownReason.CONNECTION_CLOSED, down.reason().orElseThrow());
    }

    private static Term decode(byte[] payload) {
        try {
            return TermCodec.decode(payload);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aWrongCookieIsRefusedAndTheDiallerIsToldWhy() throws Exception {
        ErlangDist a = node("a@127.0.0.1", "one", 60);
        ErlangDist b = node("b@127.0.0.1", "other", 60);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.connect(peer(b), WAIT).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("cookie"), e.getCause().getMessage());
        assertEquals(java.util.Set.of(), a.members());
        assertEquals(java.util.Set.of(), b.members());
    }

    @Test
    void shortAndLongNamesRefuseEachOtherOnBothSides() throws Exception {
        ErlangDist longNames = node("a@127.0.0.1", "c", 60);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> longNames.connect(Peer.of(NodeName.parse("s@localhost"), 1), WAIT).toCompletableFuture().get());
        assertTrue(e.getCause().getMessage().contains("short names (-sname)"), e.getCause().getMessage());

        // a short-named node dialling it hears not_allowed
        Handshake shortNamed = new Handshake(NodeName.parse("s@localhost"), "c".getBytes(StandardCharsets.UTF_8),
                DistFlags.ours(false), 1, new Random(1));
        try (Socket s = new Socket("127.0.0.1", longNames.port())) {
            RefusedException r = assertThrows(RefusedException.class, () -> shortNamed.initiate(
                    new DataInputStream(new BufferedInputStream(s.getInputStream())), new DataOutputStream(s.getOutputStream()),
                    longNames.self(), () -> false));
            assertTrue(r.getMessage().contains("not_allowed"), r.getMessage());
        }
    }

    @Test
    void aNodeAnsweringUnderAnotherNameIsRefused() throws Exception {
        ErlangDist a = node("a@127.0.0.1", "c", 60);
        ErlangDist b = node("b@127.0.0.2", "c", 60); // listening on 127.0.0.1, calling itself otherwise
        ExecutionException e = assertThrows(ExecutionException.class, () -> a.connect(
                Peer.of(NodeName.parse("b@127.0.0.1"), b.port()), WAIT).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("calls itself 'b@127.0.0.2'"), e.getCause().getMessage());
    }

    @Test
    void nodesDiallingEachOtherAtOnceEndWithOneConnectionAndBothCallsSucceed() throws Exception {
        for (int round = 0; round < 10; round++) {
            ErlangDist a = node("a" + round + "@127.0.0.1", "c", 60);
            ErlangDist b = node("b" + round + "@127.0.0.1", "c", 60);
            CompletableFuture<Void> ab = a.connect(peer(b), WAIT).toCompletableFuture();
            CompletableFuture<Void> ba = b.connect(peer(a), WAIT).toCompletableFuture();
            ab.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ba.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(java.util.Set.of(b.self()), a.members());
            assertEquals(java.util.Set.of(a.self()), b.members());
            a.close();
            b.close();
        }
    }

    @Test
    void aSilentPeerIsDownWithinTheNetTickTime() throws Exception {
        ErlangDist a = node("a@127.0.0.1", "c", 1);
        BlockingQueue<ClusterEvent> events = events(a);
        Handshake mute = new Handshake(NodeName.parse("mute@127.0.0.1"), "c".getBytes(StandardCharsets.UTF_8),
                DistFlags.ours(false), 1, new Random(2));
        try (Socket s = new Socket("127.0.0.1", a.port())) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            mute.initiate(in, new DataOutputStream(s.getOutputStream()), a.self(), () -> false);
            assertEquals("node up mute@127.0.0.1", next(events).toString());
            long start = System.nanoTime();
            ClusterEvent down = next(events); // the mute side never reads nor writes again
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(DownReason.HEARTBEAT_TIMEOUT, down.reason().orElseThrow(), down.toString());
            assertTrue(ms >= 900, "down after " + ms + " ms: before the net tick time passed");
            assertTrue(in.readInt() == 0, "a tick went out while the peer was silent");
        }
    }

    @Test
    void anOversizeFrameClosesThatConnectionWithItsSize() throws Exception {
        ErlangDist a = node("a@127.0.0.1", "c", 60);
        BlockingQueue<ClusterEvent> events = events(a);
        try (Socket s = handshaken(a)) {
            assertEquals(ClusterEvent.Type.NODE_UP, next(events).type());
            new DataOutputStream(s.getOutputStream()).writeInt(Integer.MAX_VALUE);
            ClusterEvent down = next(events);
            assertEquals(DownReason.PROTOCOL_ERROR, down.reason().orElseThrow());
            assertTrue(down.detail().contains("frame of 2147483647 bytes exceeds max.frame.bytes"), down.detail());
        }
    }

    @Test
    void unknownControlMessagesAreIgnoredAndMalformedOnesCloseTheConnection() throws Exception {
        ErlangDist a = node("a@127.0.0.1", "c", 60);
        BlockingQueue<Term> inbox = new LinkedBlockingQueue<>();
        a.addMailbox("inbox", (from, p) -> inbox.add(decode(p)));
        BlockingQueue<ClusterEvent> events = events(a);
        try (Socket s = handshaken(a)) {
            assertEquals(ClusterEvent.Type.NODE_UP, next(events).type());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            // a MONITOR_P {19, From, To, Ref}-like operation this node does not implement, then a REG_SEND
            out.write(ControlMessages.frame(ErlTuple.of(ErlInteger.of(19), ErlAtom.of("x"), ErlAtom.of("y"), ErlAtom.of("z")), null));
            out.write(ControlMessages.frame(ControlMessages.regSend(a.pid("nobody"), "inbox"), TermCodec.encode(ErlAtom.of("after"))));
            assertEquals(ErlAtom.of("after"), inbox.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
            out.write(new byte[] {0, 0, 0, 3, 112, (byte) 131, (byte) 255});
            ClusterEvent down = next(events);
            assertEquals(DownReason.PROTOCOL_ERROR, down.reason().orElseThrow());
            assertTrue(down.detail().contains("malformed control message"), down.detail());
        }
    }

    /** A raw socket that completed the handshake with {@code a} as node "raw". */
    private static Socket handshaken(ErlangDist a) throws Exception {
        Handshake raw = new Handshake(NodeName.parse("raw@127.0.0.1"), "c".getBytes(StandardCharsets.UTF_8),
                DistFlags.ours(false), 1, new Random(3));
        Socket s = new Socket("127.0.0.1", a.port());
        raw.initiate(new DataInputStream(new BufferedInputStream(s.getInputStream())), new DataOutputStream(s.getOutputStream()),
                a.self(), () -> false);
        return s;
    }

    @Test
    void settingsNameTheBadKeyAndValue() {
        NodeName n = NodeName.parse("a@127.0.0.1");
        byte[] c = "sixteen-byte-cookie".getBytes(StandardCharsets.UTF_8);
        assertEquals("key 'net.ticktime.s' has invalid value '0': must be 1-3600 seconds", assertThrows(IllegalArgumentException.class,
                () -> ErlangDistSettings.builder(n, c).netTickTime(Duration.ZERO).build()).getMessage());
        assertEquals("key 'cookie' has invalid value '': must not be empty", assertThrows(IllegalArgumentException.class,
                () -> ErlangDistSettings.builder(n, new byte[0]).build()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ErlangDistSettings.builder(n, c).maxFrameBytes(4096).sendQueueBytes(100).build()).getMessage()
                .startsWith("key 'send.queue.bytes' has invalid value '100'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ErlangDistSettings.builder(n, c).port(70000).build()).getMessage().startsWith("key 'port' has invalid value '70000'"));
    }
}
