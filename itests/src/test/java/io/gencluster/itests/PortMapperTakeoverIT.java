package io.gencluster.itests;

import static io.gencluster.itests.NodeProcess.configs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.epmd.EpmdClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three node JVMs with epmd-all discovery and no epmd: the first serves the embedded port mapper.
 * Killed hard, the other two stay connected, one takes the port over, and both re-register within
 * one refresh interval.
 */
class PortMapperTakeoverIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long REFRESH_MS = 1000;
    private final List<NodeProcess> processes = new ArrayList<>();
    private final Path work = Path.of(System.getProperty("work.dir"), "takeover-" + System.nanoTime());

    @AfterEach
    void killAll() throws InterruptedException {
        for (NodeProcess p : processes) {
            p.kill();
        }
    }

    private NodeProcess start(String name, int epmdPort) throws Exception {
        NodeProcess p = NodeProcess.start(name, work, configs(
                "io.gencluster.dist.tcp", Map.of("node.name", name + "@127.0.0.1", "bind.address", "127.0.0.1", "port", "0",
                        "cookie", "c00kie-for-integration-tests", "epmd.port", String.valueOf(epmdPort), "tick.ms", "200", "tick.timeout.ms", "2000"),
                "io.gencluster.discovery.epmd", Map.of("epmd.port", String.valueOf(epmdPort)),
                "io.gencluster", Map.of("refresh.interval.ms", String.valueOf(REFRESH_MS),
                        "reconnect.backoff.initial.ms", "100", "reconnect.backoff.max.ms", "500")));
        processes.add(p);
        return p;
    }

    private static Set<String> names(int epmdPort) {
        try {
            return new EpmdClient("127.0.0.1", epmdPort, Duration.ofSeconds(1)).names().keySet();
        } catch (Exception e) {
            return Set.of();
        }
    }

    @Test
    void whenTheNodeServingThePortMapperDiesAnotherTakesOverAndAllReRegister() throws Exception {
        int epmdPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            epmdPort = s.getLocalPort();
        }
        NodeProcess n1 = start("n1", epmdPort);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!names(epmdPort).contains("n1")) { // n1 found no epmd, serves one, and registered with it
            assertTrue(System.nanoTime() < deadline, "n1 never registered: " + n1.diagnostics());
            TimeUnit.MILLISECONDS.sleep(20);
        }
        NodeProcess n2 = start("n2", epmdPort);
        NodeProcess n3 = start("n3", epmdPort);
        n2.awaitMembers(EmbeddedNodes.names("n1", "n3"), TIMEOUT);
        n3.awaitMembers(EmbeddedNodes.names("n1", "n2"), TIMEOUT);

        n1.kill();
        long killed = System.nanoTime();
        n2.awaitMembers(EmbeddedNodes.names("n3"), TIMEOUT);
        n3.awaitMembers(EmbeddedNodes.names("n2"), TIMEOUT);
        while (!names(epmdPort).equals(Set.of("n2", "n3"))) {
            assertTrue(System.nanoTime() - killed < TIMEOUT.toNanos(), "not re-registered: " + names(epmdPort) + "; " + n2.diagnostics());
            TimeUnit.MILLISECONDS.sleep(20);
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertTrue(took <= REFRESH_MS, "re-registered " + took + " ms after the kill; refresh interval " + REFRESH_MS + " ms");
        assertEquals(EmbeddedNodes.names("n3"), n2.members(), "n2 and n3 stayed connected");
    }
}
