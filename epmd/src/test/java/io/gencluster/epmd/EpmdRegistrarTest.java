package io.gencluster.epmd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Registration with an EPMD-compatible port mapper on a test port, for both kinds of node: an
 * Erlang-protocol node is listed as an Erlang node (hidden type, version 6, no gen-cluster marker)
 * and registered again when the port mapper restarts, as OTP nodes are; a dist-tcp node carries
 * the marker, serves the port mapper itself when none answers, and takes it over when the node
 * serving it goes.
 */
class EpmdRegistrarTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final int port;
    private final EpmdClient epmd;

    EpmdRegistrarTest() throws IOException {
        port = TestPorts.freeOutsideEphemeralRange();
        epmd = new EpmdClient("127.0.0.1", port, Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        timer.shutdownNow();
        assertTrue(timer.awaitTermination(5, TimeUnit.SECONDS));
    }

    private <T extends AutoCloseable> T closedAfter(T c) {
        closeables.add(c);
        return c;
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not within 20 s" + (lastLookUpError == null ? ""
                        : "; last look-up failed: " + lastLookUpError));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private NodeEntry await(String name) throws Exception {
        await(() -> lookUp(name) != null, name + " registered");
        return lookUp(name);
    }

    private volatile String lastLookUpError;

    private NodeEntry lookUp(String name) {
        try {
            NodeEntry e = epmd.portPlease(name);
            lastLookUpError = null;
            return e;
        } catch (IOException notYet) {
            lastLookUpError = notYet.toString(); // the port mapper is restarting (said when it never answers)
            return null;
        }
    }

    private Map<String, Integer> names() {
        try {
            return epmd.names();
        } catch (IOException notYet) {
            return Map.of(); // the port mapper is being taken over
        }
    }

    /** Binds the port again once the closed port mapper has let go of it (connections may linger briefly). */
    private PortMapper restart() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                return PortMapper.start(LOOPBACK, port);
            } catch (java.net.BindException stillBound) {
                if (System.nanoTime() > deadline) {
                    throw stillBound;
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    @Test
    void registersAsAnErlangNodeAndAgainWhenThePortMapperRestarts() throws Exception {
        PortMapper mapper = PortMapper.start(LOOPBACK, port);
        try {
            EpmdRegistrar registrar = closedAfter(EpmdRegistrar.erlangNode("java", 45555, true, port, timer));
            assertTrue(registrar.register() > 0, "the creation EPMD gave");
            NodeEntry e = await("java");
            assertEquals(45555, e.port);
            assertEquals(NodeEntry.HIDDEN, e.nodeType);
            assertEquals(6, e.highestVersion);
            assertEquals(6, e.lowestVersion);
            assertEquals(false, e.isGenCluster(), "an Erlang-protocol node carries no gen-cluster marker");
            assertFalse(registrar.servesPortMapper());

            mapper.close();
            mapper = restart();
            assertEquals(45555, await("java").port);
        } finally {
            mapper.close();
        }
    }

    @Test
    void anErlangNodeWithoutEpmdKeepsTryingUntilOneRuns() throws Exception {
        EpmdRegistrar registrar = closedAfter(EpmdRegistrar.erlangNode("java", 45555, false, port, timer));
        assertEquals(0, registrar.register(), "no EPMD: no creation");
        assertFalse(registrar.servesPortMapper(), "an Erlang-protocol node never serves a port mapper");
        try (PortMapper mapper = PortMapper.start(LOOPBACK, port)) {
            assertEquals(NodeEntry.NORMAL, await("java").nodeType);
        }
    }

    @Test
    void aDistTcpNodeServesThePortMapperWhenNoneAnswersAndRegistersWithTheMarker() throws Exception {
        EpmdRegistrar registrar = closedAfter(EpmdRegistrar.genClusterNode("n1", 4370, port, true, LOOPBACK, timer));
        registrar.start();
        NodeEntry e = await("n1");
        assertEquals(4370, e.port);
        assertEquals(NodeEntry.HIDDEN, e.nodeType);
        assertTrue(e.isGenCluster());
        assertTrue(registrar.servesPortMapper());

        registrar.close();
        assertThrows(NoEpmdException.class, epmd::names, "closing stops the port mapper it served");
    }

    @Test
    void whenTheNodeServingThePortMapperClosesAnotherTakesItOverAndAllRegisterAgain() throws Exception {
        EpmdRegistrar first = EpmdRegistrar.genClusterNode("n1", 4371, port, true, LOOPBACK, timer);
        first.start();
        await(first::servesPortMapper, "n1 serving the port mapper");
        EpmdRegistrar second = closedAfter(EpmdRegistrar.genClusterNode("n2", 4372, port, true, LOOPBACK, timer));
        EpmdRegistrar third = closedAfter(EpmdRegistrar.genClusterNode("n3", 4373, port, true, LOOPBACK, timer));
        second.start();
        third.start();
        await(() -> names().equals(Map.of("n1", 4371, "n2", 4372, "n3", 4373)), "all three registered");
        assertFalse(second.servesPortMapper() || third.servesPortMapper());

        first.close();
        await(() -> names().equals(Map.of("n2", 4372, "n3", 4373)), "n2 and n3 registered again");
        assertTrue(second.servesPortMapper() ^ third.servesPortMapper(), "exactly one of them serves it");
    }

    @Test
    void aPortMapperThatAcceptsButNeverAnswersDelaysNothingButTheRegistration() throws Exception {
        EpmdRegistrar erlang = closedAfter(EpmdRegistrar.erlangNode("java", 45555, true, port, timer));
        EpmdRegistrar distTcp = closedAfter(EpmdRegistrar.genClusterNode("n1", 4370, port, true, LOOPBACK, timer));
        try (ServerSocket frozen = new ServerSocket(port, 50, LOOPBACK)) { // connections queue, nobody answers
            long start = System.nanoTime();
            assertEquals(0, erlang.register(), "not registered, and the node starts");
            long registerMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(registerMs < 3000, "a starting node waited " + registerMs + " ms for a frozen port mapper");

            start = System.nanoTime();
            distTcp.start();
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(100), "a dist-tcp node never waits");
            await(() -> distTcp.failures() >= 1, "n1 tried to register");
            assertFalse(distTcp.servesPortMapper(), "the port is taken: nothing to serve");
        }
        long thawed = System.nanoTime(); // the port mapper answers again (here: a working one has the port)
        try (PortMapper mapper = restart()) {
            assertEquals(4370, await("n1").port);
            assertEquals(45555, await("java").port);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - thawed);
            assertTrue(tookMs < EpmdRegistrar.MAX_RETRY_MS + 2 * 2000 + 2000,
                    "registered " + tookMs + " ms after the port mapper answered again");
        }
    }

    @Test
    void withEmbeddedOffNothingIsServedAndTheNodeRegistersOnceEpmdRuns() throws Exception {
        EpmdRegistrar registrar = closedAfter(EpmdRegistrar.genClusterNode("n1", 4370, port, false, LOOPBACK, timer));
        registrar.start();
        timer.schedule(() -> null, 0, TimeUnit.MILLISECONDS).get(); // queued after the first attempt: it has run
        assertFalse(registrar.servesPortMapper());
        try (Socket s = new Socket()) {
            assertThrows(IOException.class, () -> s.connect(new InetSocketAddress(LOOPBACK, port), 500),
                    "nothing listens on the EPMD port");
        }
        try (PortMapper mapper = PortMapper.start(LOOPBACK, port)) {
            assertEquals(4370, await("n1").port);
            assertFalse(registrar.servesPortMapper());
        }
    }
}
