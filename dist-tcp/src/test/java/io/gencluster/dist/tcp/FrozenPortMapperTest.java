package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.testing.LogLines;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer host whose port mapper accepts connections and never answers (frozen): a peer that
 * discovery gave without a port is dialled at peer.port once the PORT_PLEASE2 times out, as where
 * no port mapper listens at all, and the fallback is logged once per host, not per dial.
 */
class FrozenPortMapperTest {

    private static final String COOKIE = "secret-cookie-for-tests";
    private static final Duration HANDSHAKE = Duration.ofMillis(1000); // also the bound on each port mapper request

    private final List<TcpDist> started = new CopyOnWriteArrayList<>();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private ServerSocket frozen;

    @AfterEach
    void stop() throws Exception {
        for (TcpDist d : started) {
            d.close();
        }
        for (Socket s : held) {
            s.close();
        }
        if (frozen != null) {
            frozen.close();
        }
    }

    /** A node asking the port mapper on {@code epmdPort}, or none when 0. */
    private TcpDist node(String name, int peerPort, int epmdPort) throws Exception {
        TcpDistSettings.Builder b = TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), COOKIE.getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0).handshakeTimeout(HANDSHAKE);
        if (epmdPort != 0) {
            b.peerPort(peerPort).epmd(true, epmdPort, false);
        } else {
            b.epmd(false, 4369, false);
        }
        TcpDist d = new TcpDist(b.build());
        d.start();
        started.add(d);
        return d;
    }

    /** Accepts every connection and holds it, never reading nor writing. */
    private int frozenPortMapper() throws Exception {
        frozen = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!frozen.isClosed()) {
                try {
                    held.add(frozen.accept());
                } catch (Exception closed) {
                    return;
                }
            }
        }, "frozen-port-mapper");
        t.setDaemon(true);
        t.start();
        return frozen.getLocalPort();
    }

    @Test
    void aPeerWithoutAPortIsDialledAtPeerPortWhenItsHostsPortMapperDoesNotAnswer() throws Exception {
        TcpDist b = node("b", 0, 0);
        int mapper = frozenPortMapper();
        TcpDist a = node("a", b.port(), mapper);
        try (LogLines log = new LogLines(TcpDist.class)) {
            Duration bound = HANDSHAKE.multipliedBy(2).plusMillis(500); // the EPMD timeout, then the handshake
            long start = System.nanoTime();
            a.connect(Peer.of(b.self()), bound).toCompletableFuture().get(bound.toMillis() + 1000, TimeUnit.MILLISECONDS);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(Set.of(b.self()), a.members());
            assertEquals(true, took < bound.toMillis(), "connected in " + took + " ms");

            // another node of the same host: its lookup falls back too, without a second line
            ExecutionException wrongNode = assertThrows(ExecutionException.class, () -> a.connect(Peer.of(NodeName.parse("c@127.0.0.1")), bound)
                    .toCompletableFuture().get(bound.toMillis() + 1000, TimeUnit.MILLISECONDS));
            List<String> lines = log.lines.stream().filter(l -> l.contains("did not answer")).toList();
            assertEquals(1, lines.size(), lines + " (dial of c: " + wrongNode.getCause().getMessage() + ")");
            assertEquals(true, lines.get(0).startsWith("port mapper on 127.0.0.1:" + mapper + " did not answer")
                    && lines.get(0).endsWith("dialling its nodes at peer.port " + b.port() + " until it answers"), lines.get(0));
        }
    }
}
