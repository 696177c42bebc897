package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.wire.BlockingWire;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.Handshake;
import io.gencluster.testing.LogLines;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Refused handshakes are summarised, not logged one by one: a hostile peer cannot flood the log.
 * Every log line also stays one line, whatever a peer puts in the names and reasons it sends.
 */
class RefusalLogFloodTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] COOKIE = "the-shared-cookie".getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private List<String> logs() {
        LogLines captured = new LogLines(TcpDist.class);
        resources.add(captured);
        return captured.lines;
    }

    private TcpDist node(String name) throws IOException {
        TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), COOKIE).bindAddress("127.0.0.1").port(0)
                .handshakeTimeout(Duration.ofMillis(2000)).epmd(false, 4369, false).build());
        d.start();
        resources.add(d);
        return d;
    }

    private static void drain(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // a REFUSE may come first
            }
        } catch (IOException reset) {
            // a reset is a close too
        }
    }

    @Test
    void thirtySecondsOfGarbageFromTwentyConnectionsAddAFewDozenLogLines() throws Exception {
        List<String> logs = logs();
        TcpDist node = node("node");
        int before = logs.size();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        AtomicLong connections = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            Random random = new Random(t);
            Thread th = new Thread(() -> {
                while (System.nanoTime() < end) {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), node.port())) {
                        s.setSoTimeout((int) TIMEOUT.toMillis());
                        byte[] garbage = new byte[64];
                        random.nextBytes(garbage);
                        s.getOutputStream().write(garbage);
                        drain(s);
                        connections.incrementAndGet();
                    } catch (IOException ignored) {
                        // refused at once: try again
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join(TimeUnit.SECONDS.toMillis(60));
        }
        List<String> added = List.copyOf(logs.subList(before, logs.size()));
        assertTrue(connections.get() > 1000, "only " + connections.get() + " hostile connections");
        assertTrue(added.size() <= 36, added.size() + " log lines for " + connections.get() + " connections: " + added);
        assertTrue(added.stream().anyMatch(l -> l.startsWith("refused ") && l.contains(" connections from 127.0.0.1 in ")), added.toString());
    }

    @Test
    void aThousandWrongCookiesLogAHandfulOfLines() throws Exception {
        List<String> logs = logs();
        TcpDist node = node("node");
        int before = logs.size();
        byte[] wrong = "a-guess".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 1000; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), node.port())) {
                s.setSoTimeout((int) TIMEOUT.toMillis());
                Handshake.Initiator guesser = new Handshake(NodeName.parse("guesser@127.0.0.1"), wrong, new Random(i)).new Initiator(node.self());
                s.getOutputStream().write(guesser.hello(1));
                DataInputStream in = new DataInputStream(s.getInputStream());
                s.getOutputStream().write(guesser.onFrame(BlockingWire.read(in, 1024)));
                assertEquals(FrameCodec.REFUSE, BlockingWire.read(in, 1024).type());
            }
        }
        List<String> added = List.copyOf(logs.subList(before, logs.size()));
        assertTrue(added.size() <= 5, added.size() + " log lines for 1,000 wrong cookies: " + added);
        assertTrue(added.stream().anyMatch(l -> l.contains("cookie mismatch") && l.contains("guesser@127.0.0.1")), added.toString());
    }

    @Test
    void namesAndReasonsFromPeersCannotForgeLogLines() throws Exception {
        List<String> logs = logs();
        TcpDist node = node("node");
        // a HELLO whose name and dialled node hold CR/LF
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), node.port())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            s.getOutputStream().write(BlockingWire.hello(2, "x@h\r\nFORGED LINE", "node@127.0.0.1"));
            drain(s);
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), node.port())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            s.getOutputStream().write(BlockingWire.hello(2, "x@127.0.0.1", "node@127.0.0.1\nFORGED LINE"));
            drain(s);
        }
        // a dialled node that refuses with CR/LF in its reason
        try (java.net.ServerSocket liar = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var dial = node.connect(io.gencluster.api.Peer.of(NodeName.parse("liar@127.0.0.1"), liar.getLocalPort()), TIMEOUT)
                    .toCompletableFuture();
            try (Socket s = liar.accept()) {
                s.getOutputStream().write(Handshake.refusal(FrameCodec.REFUSED_COOKIE, "no\r\nFORGED LINE").reply());
                try {
                    dial.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.ExecutionException expected) {
                    assertTrue(expected.getCause().getMessage().contains("no\\r\\nFORGED LINE"), expected.getCause().getMessage());
                }
            }
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (logs.stream().filter(l -> l.contains("FORGED LINE")).count() < 3 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        List<String> forged = logs.stream().filter(l -> l.contains("FORGED LINE")).toList();
        assertEquals(3, forged.size(), logs.toString());
        for (String l : forged) {
            assertTrue(l.indexOf('\n') < 0 && l.indexOf('\r') < 0, "a line break from a peer in the log: " + l);
            assertTrue(l.contains("\\r\\nFORGED LINE") || l.contains("\\nFORGED LINE"), l);
        }
    }
}
