package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gencluster.api.Peer;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.testing.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dialling a peer that discovery gave without a port (DNS A records, EPMD names): the port its
 * host's port mapper gives, else {@code peer.port}; and a node that serves no port mapper.
 */
class PortlessPeerTest {

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    @Test
    void aPeerWithoutAPortIsDialledAtPeerPortWhereItsHostHasNoPortMapper() throws Exception {
        // Kubernetes: DNS A records carry no port, pods have no port mapper, every node listens on one port
        TcpDist b = nodes.node("b");
        int noPortMapper = FreePorts.one();
        TcpDist a = nodes.node("a", s -> s.peerPort(b.port()).epmd(true, noPortMapper, false).handshakeTimeout(Duration.ofMillis(1000)));
        a.connect(Peer.of(b.self()), LoopbackNodes.TIMEOUT).toCompletableFuture()
                .get(LoopbackNodes.TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        assertEquals(Set.of(b.self()), a.members());
    }

    @Test
    void aPeerWithoutAPortIsDialledOnThePortItsHostsEpmdGives() throws Exception {
        int epmdPort = FreePorts.one();
        TcpDist a = nodes.node("a", s -> s.epmd(true, epmdPort, true));
        TcpDist b = nodes.node("b", s -> s.epmd(true, epmdPort, true));
        LoopbackNodes.await(() -> servesPortMapper(a) || servesPortMapper(b), () -> "neither node serves the port mapper");
        // b registers from its own thread: wait until the port mapper knows it
        LoopbackNodes.await(() -> knows(epmdPort, "b"), () -> "the port mapper does not know b");
        // no port in the peer: a asks the EPMD of b's host (127.0.0.1) for b's port
        a.connect(Peer.of(b.self()), LoopbackNodes.TIMEOUT).toCompletableFuture().get(15, TimeUnit.SECONDS);
        assertEquals(Set.of(b.self()), a.members());
    }

    @Test
    void withEmbeddedOffNoPortMapperIsServedAndTheNodeStillRuns() throws Exception {
        int epmdPort = FreePorts.one();
        TcpDist a = nodes.node("a", s -> s.epmd(true, epmdPort, false));
        TcpDist b = nodes.node("b");
        LoopbackNodes.connect(b, a);
        assertFalse(servesPortMapper(a));
        try (Socket s = new Socket()) {
            assertThrows(IOException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", epmdPort), 500),
                    "nothing listens on the EPMD port");
        }
    }

    /** Whether {@code d} serves the embedded port mapper. */
    private static boolean servesPortMapper(TcpDist d) {
        return d.epmd != null && d.epmd.servesPortMapper();
    }

    /** Whether the port mapper on {@code epmdPort} gives a port for {@code name} (false while it does not answer yet). */
    private static boolean knows(int epmdPort, String name) {
        try {
            return new EpmdClient("127.0.0.1", epmdPort, Duration.ofSeconds(1)).portPlease(name) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
