package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.wire.BlockingWire;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.Handshake;
import io.gencluster.testing.LogLines;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Raw sockets against a node that has a real member: garbage, a truncated handshake, a wrong
 * cookie, an oversize handshake frame, a slowloris trickle and a flood of connections. Each is
 * closed within a bounded time with a logged reason, and the real member stays connected and keeps
 * exchanging messages both ways (no node-down event for it, every message delivered in order).
 */
class HostilePeerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long HANDSHAKE_MS = 1000;
    private static final byte[] COOKIE = "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private List<String> logs;
    private final BlockingQueue<byte[]> atNode = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> atMember = new LinkedBlockingQueue<>();
    private final List<ClusterEvent> nodeEvents = new CopyOnWriteArrayList<>();
    private TcpDist node;
    private TcpDist member;
    private int exchanged;

    @BeforeEach
    void aNodeWithARealMember() throws Exception {
        LogLines captured = new LogLines(TcpDist.class);
        resources.add(captured);
        logs = captured.lines;
        node = start("node");
        member = start("member");
        node.addListener(nodeEvents::add);
        node.addMailbox("in", (from, payload) -> atNode.add(payload));
        member.addMailbox("in", (from, payload) -> atMember.add(payload));
        member.connect(Peer.of(node.self(), node.port()), TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        exchangeMessages();
    }

    @AfterEach
    void closeEverything() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private TcpDist start(String name) throws IOException {
        TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), COOKIE).bindAddress("127.0.0.1").port(0)
                .tick(Duration.ofMillis(200)).tickTimeout(Duration.ofMillis(2000)).handshakeTimeout(Duration.ofMillis(HANDSHAKE_MS))
                .maxHandshakes(16).epmd(false, 4369, false).build());
        d.start();
        resources.add(d);
        return d;
    }

    private Socket socket() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), node.port());
        s.setSoTimeout((int) TIMEOUT.toMillis());
        resources.add(s);
        return s;
    }

    /** 200 messages each way, all delivered in order; and the member never went down. */
    private void exchangeMessages() throws Exception {
        for (int i = 0; i < 200; i++) {
            byte[] m = String.valueOf(exchanged + i).getBytes(StandardCharsets.UTF_8);
            member.send(node.self(), "in", m, TIMEOUT);
            node.send(member.self(), "in", m, TIMEOUT);
        }
        for (BlockingQueue<byte[]> q : List.of(atNode, atMember)) {
            for (int i = 0; i < 200; i++) {
                byte[] m = q.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(String.valueOf(exchanged + i), m == null ? "nothing" : new String(m, StandardCharsets.UTF_8), "message " + i);
            }
        }
        exchanged += 200;
        assertEquals(Set.of(member.self()), node.members(), "the real member stays connected");
        assertTrue(nodeEvents.stream().noneMatch(e -> e.type() == ClusterEvent.Type.NODE_DOWN), "node-down events: " + nodeEvents);
    }

    /** Reads until the node closes the socket; returns how long that took, failing past {@code bound}. */
    private static long closedWithin(Socket s, long boundMs) throws IOException {
        long start = System.nanoTime();
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // a REFUSE frame may come first
            }
        } catch (SocketException reset) {
            // closed with unread bytes: a reset, also a close
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took <= boundMs, "closed after " + took + " ms, bound " + boundMs + " ms");
        return took;
    }

    private void awaitLog(String... parts) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (logs.stream().noneMatch(l -> List.of(parts).stream().allMatch(l::contains))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no log line with " + List.of(parts) + " in " + logs);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    @Test
    void garbageIsRefusedAtOnceWithALoggedReason() throws Exception {
        Socket s = socket();
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        closedWithin(s, HANDSHAKE_MS / 2); // refused on its first bytes, not left to the handshake timeout
        awaitLog("refused connection from 127.0.0.1", "frame length out of range");
        exchangeMessages();
    }

    @Test
    void aTruncatedHandshakeIsClosedAtTheHandshakeTimeout() throws Exception {
        Socket s = socket();
        byte[] hello = new Handshake(NodeName.parse("cut@127.0.0.1"), COOKIE, new java.util.Random(3)).new Initiator(node.self()).hello(1);
        s.getOutputStream().write(hello, 0, hello.length / 2);
        long took = closedWithin(s, HANDSHAKE_MS + 2000);
        assertTrue(took >= HANDSHAKE_MS - 100, "closed after " + took + " ms, before the handshake timeout");
        awaitLog("refused connection from 127.0.0.1", "handshake timed out after");
        exchangeMessages();
    }

    @Test
    void aWrongCookieIsRefusedWithALoggedReasonThatKeepsTheCookieSecret() throws Exception {
        Socket s = socket();
        byte[] wrong = "not-the-cookie".getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        IOException refused = assertThrows(IOException.class, () -> BlockingWire.initiate(new Handshake(NodeName.parse("intruder@127.0.0.1"),
                wrong, new java.util.Random(4)), new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()),
                node.self(), 1));
        assertTrue(refused.getMessage().contains("cookie mismatch"), refused.getMessage());
        closedWithin(s, HANDSHAKE_MS / 2);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < HANDSHAKE_MS, "refused before the handshake timeout");
        awaitLog("refused", "cookie mismatch", "intruder@127.0.0.1");
        assertTrue(logs.stream().noneMatch(l -> l.contains("secret-cookie-for-tests") || l.contains("not-the-cookie")), "a cookie in the log: " + logs);
        exchangeMessages();
    }

    @Test
    void aHandshakeFrameLargerThanTheMaximumIsRefusedBeforeItsBytesArrive() throws Exception {
        Socket s = socket();
        // claims 16 MiB; only the header is sent, so a node that waited for the bytes would hang to its timeout
        s.getOutputStream().write(new byte[] {0x01, 0x00, 0x00, 0x00, FrameCodec.HELLO});
        closedWithin(s, HANDSHAKE_MS / 2);
        awaitLog("refused connection from 127.0.0.1", "frame length out of range");
        exchangeMessages();
    }

    @Test
    void aSlowlorisTrickleIsCutAtTheHandshakeTimeoutThoughBytesKeepComing() throws Exception {
        Socket s = socket();
        byte[] hello = new Handshake(NodeName.parse("slow@127.0.0.1"), COOKIE, new java.util.Random(5)).new Initiator(node.self()).hello(1);
        long start = System.nanoTime();
        boolean cut = false;
        // one byte every 100 ms: the whole HELLO would take longer than the handshake timeout
        assertTrue(hello.length * 100L > HANDSHAKE_MS * 2, "HELLO of " + hello.length + " bytes");
        for (int i = 0; i < hello.length && !cut; i++) {
            try {
                s.getOutputStream().write(hello[i]);
                s.getOutputStream().flush();
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (SocketException closed) {
                cut = true;
            }
            if (s.getInputStream().available() > 0 || TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) > HANDSHAKE_MS + 3000) {
                break;
            }
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + closedWithin(s, 3000);
        assertTrue(took >= HANDSHAKE_MS - 100 && took <= HANDSHAKE_MS + 3000, "cut after " + took + " ms");
        awaitLog("refused connection from 127.0.0.1", "handshake timed out after");
        exchangeMessages();
    }

    @Test
    void aFloodOfConnectionAttemptsIsShedAndAFreshPeerIsServedAfterIt() throws Exception {
        // 200 connections opened as fast as possible, 40 at a time, none saying a word: those beyond
        // max.handshakes (16) are closed at once, the rest at the handshake timeout
        for (int batch = 0; batch < 5; batch++) {
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), node.port());
                s.setSoTimeout((int) TIMEOUT.toMillis());
                held.add(s);
            }
            long start = System.nanoTime();
            for (Socket s : held) {
                closedWithin(s, HANDSHAKE_MS + 3000);
                s.close();
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took <= HANDSHAKE_MS + 3000, "batch " + batch + " of 40 shed in " + took + " ms");
        }
        awaitLog("too many handshakes in progress");
        exchangeMessages();
        TcpDist fresh = start("fresh");
        fresh.connect(Peer.of(node.self(), node.port()), TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(Set.of(member.self(), fresh.self()), node.members());
    }
}
