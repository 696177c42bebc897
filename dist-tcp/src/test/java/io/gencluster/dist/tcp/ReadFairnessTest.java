package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection that always has more to read must not keep its selector thread to itself: the
 * thread also sends heartbeats, so a node flooded with large messages would fall silent to the
 * very peer flooding it, and be declared down by it.
 */
class ReadFairnessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final List<TcpDist> started = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (TcpDist d : started) {
            d.close();
        }
    }

    private TcpDist node(String name) throws Exception {
        TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"),
                        "a-cookie-of-the-read-fairness-test".getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0).transitive(false)
                .tick(Duration.ofMillis(100)).tickTimeout(Duration.ofMillis(800)).build());
        d.start();
        started.add(d);
        return d;
    }

    @Test
    void aNodeFloodedWithLargeMessagesStillSendsItsHeartbeats() throws Exception {
        TcpDist a = node("a");
        TcpDist b = node("b");
        List<ClusterEvent> downs = new CopyOnWriteArrayList<>();
        a.addListener(e -> {
            if (e.type() == ClusterEvent.Type.NODE_DOWN) {
                downs.add(e);
            }
        });
        a.connect(Peer.of(b.self(), b.port()), TIMEOUT).toCompletableFuture().get(15, TimeUnit.SECONDS);
        long[] received = {0};
        b.addMailbox("sink", (from, payload) -> {
            synchronized (received) {
                received[0]++;
                received.notifyAll();
            }
        });
        byte[] payload = new byte[64 * 1024];
        long sent = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4); // five tick timeouts of streaming
        while (System.nanoTime() < end && downs.isEmpty()) {
            a.send(b.self(), "sink", payload, TIMEOUT);
            sent++;
        }
        assertEquals(List.of(), downs, "b was declared down while it read a's stream (" + sent + " messages sent)");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        synchronized (received) {
            while (received[0] < sent && System.nanoTime() < deadline) {
                received.wait(100);
            }
            assertEquals(sent, received[0], "every message arrived");
        }
        assertTrue(a.members().contains(b.self()));
    }
}
