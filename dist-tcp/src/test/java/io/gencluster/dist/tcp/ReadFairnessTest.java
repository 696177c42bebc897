package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection that always has more to read must not keep its selector thread to itself: the
 * thread also sends heartbeats, so a node flooded with large messages would fall silent to the
 * very peer flooding it, and be declared down by it.
 */
class ReadFairnessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    private TcpDist node(String name) throws Exception {
        return nodes.node(name, b -> b.tick(Duration.ofMillis(100)).tickTimeout(Duration.ofMillis(800)));
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
        LoopbackNodes.connect(a, b);
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
