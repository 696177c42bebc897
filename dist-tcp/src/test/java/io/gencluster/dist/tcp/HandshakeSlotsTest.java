package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Handshake slots a flood cannot take: a flood of connections from one address, holding their
 * handshakes open, leaves room for a node from another address and for this node's own dials.
 */
class HandshakeSlotsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] COOKIE = "the-shared-cookie".getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private TcpDist node(String name) throws IOException {
        // the defaults for the caps; a handshake timeout longer than the test, so the flood holds its slots
        TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), COOKIE).bindAddress("127.0.0.1").port(0)
                .handshakeTimeout(Duration.ofSeconds(30)).epmd(false, 4369, false).build());
        d.start();
        resources.add(d);
        return d;
    }

    @Test
    void twoHundredConnectionsFromOneAddressLeaveRoomForANodeFromAnotherAndForOurDials() throws Exception {
        TcpDist node = node("node");
        TcpDist third = node("third");
        InetAddress hostile = InetAddress.getByName("127.0.0.2");
        for (int i = 0; i < 200; i++) {
            Socket s = new Socket();
            resources.add(s);
            s.bind(new InetSocketAddress(hostile, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), node.port()), (int) TIMEOUT.toMillis());
            // says nothing: holds a handshake slot until the handshake timeout, if it got one
        }
        TcpDist fresh = node("fresh");
        long start = System.nanoTime();
        fresh.connect(Peer.of(node.self(), node.port()), Duration.ofSeconds(2)).toCompletableFuture().get(3, TimeUnit.SECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took < 2000, "joined after " + took + " ms");
        node.connect(Peer.of(third.self(), third.port()), Duration.ofSeconds(2)).toCompletableFuture().get(3, TimeUnit.SECONDS);
        assertEquals(Set.of(fresh.self(), third.self()), node.members());
    }
}
