package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node whose connections are all up rests its selector thread between sweeps; a connection that
 * opens meanwhile brings the next sweep closer (its handshake has a deadline) but never makes the
 * thread poll without sleeping until that sweep.
 */
class RestingSelectorTest {

    private static final long TICK_MS = 4_000; // sweeps up to 1 s apart once every connection is up
    private static final int OPENINGS = 3;
    private static final long WINDOW_MS = 1_200; // per opening: past the sweep it brings closer

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    @Test
    void anOpeningConnectionDoesNotSpinTheSelectorThread() throws Exception {
        TcpDist a = nodes.node("a", s -> s.tick(Duration.ofMillis(TICK_MS)).tickTimeout(Duration.ofMillis(5 * TICK_MS)));
        LoopbackNodes.connect(nodes.node("b"), a);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long selector = selectorThreadOf(a);

        long cpu0 = threads.getThreadCpuTime(selector);
        long wall0 = System.nanoTime();
        for (int i = 0; i < OPENINGS; i++) {
            // a connection that never hand-shakes: a's next sweep comes a quarter tick after its last
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", a.port()), 5_000);
                TimeUnit.MILLISECONDS.sleep(WINDOW_MS); // the window measured, not a wait for an event
            }
        }
        double cpuMs = (threads.getThreadCpuTime(selector) - cpu0) / 1e6;
        double wallMs = (System.nanoTime() - wall0) / 1e6;
        // resting, the thread takes a few ms per sweep; polling until the sweep, most of a core
        assertTrue(cpuMs < wallMs / 10, String.format("a's selector thread used %.0f ms of CPU in %.0f ms after %d connections "
                + "opened; resting between sweeps it would use under %.0f", cpuMs, wallMs, OPENINGS, wallMs / 10));
    }

    private static long selectorThreadOf(TcpDist node) {
        String name = "gencluster-tcp-io-" + node.self();
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no thread named " + name))
                .getId();
    }
}
