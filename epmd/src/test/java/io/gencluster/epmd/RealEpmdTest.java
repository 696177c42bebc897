package io.gencluster.epmd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With Erlang/OTP's own {@code epmd} (on a test port, loopback only, started and stopped by PID):
 * a node that registered with it never takes its port when it stops, so it can be restarted and
 * every node registers with it again; another node's embedded port mapper is still taken over.
 */
class RealEpmdTest {

    private static final Path EPMD = Path.of("/usr/bin/epmd");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private int port;
    private EpmdClient client;

    @BeforeEach
    void epmdInstalled() throws IOException {
        assumeTrue(Files.isExecutable(EPMD), "no " + EPMD);
        port = TestPorts.freeOutsideEphemeralRange();
        client = new EpmdClient("127.0.0.1", port, Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        timer.shutdownNow();
        for (Process p : processes) {
            stop(p);
        }
    }

    private Process startEpmd() throws Exception {
        ProcessBuilder b = new ProcessBuilder(EPMD.toString(), "-port", String.valueOf(port));
        b.environment().put("ERL_EPMD_ADDRESS", "127.0.0.1");
        b.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = b.start();
        processes.add(p);
        await(() -> !p.isAlive() || answers(), "epmd (pid " + p.pid() + ") answering on port " + port);
        assertTrue(p.isAlive(), () -> "epmd (pid " + p.pid() + ") exited with " + p.exitValue() + ": port " + port + " taken");
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM to its PID
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private boolean answers() {
        try {
            client.names();
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private boolean lists(String name) {
        try {
            return client.names().containsKey(name);
        } catch (IOException notYet) {
            return false;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within 15 s");
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Test
    void aNodeThatRegisteredWithARealEpmdLetsItRestartInsteadOfTakingItsPort() throws Exception {
        Process first = startEpmd();
        EpmdRegistrar n1 = EpmdRegistrar.genClusterNode("n1", 4370, port, true, LOOPBACK, timer);
        closeables.add(n1);
        n1.start();
        await(() -> lists("n1"), "n1 registered with epmd");
        await(n1::sawRealEpmd, "n1 knowing a real epmd serves the port");

        stop(first);
        await(() -> n1.failures() >= 2, "n1 trying to register again");
        assertFalse(n1.servesPortMapper(), "n1 does not serve the port of the epmd that stopped");
        try (Socket s = new Socket()) {
            assertThrows(IOException.class, () -> s.connect(new InetSocketAddress(LOOPBACK, port), 500), "the port is free");
        }

        startEpmd(); // fails if the port is taken: epmd exits at once
        long restarted = System.nanoTime();
        await(() -> lists("n1"), "n1 registered with the restarted epmd");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
        assertTrue(tookMs < EpmdRegistrar.MAX_RETRY_MS + 2000, "n1 registered " + tookMs + " ms after epmd restarted");
        assertTrue(client.isRealEpmd(), "epmd answers DUMP");
    }

    @Test
    void anEmbeddedPortMapperIsToldApartFromARealEpmd() throws Exception {
        try (PortMapper embedded = PortMapper.start(LOOPBACK, port)) {
            assertFalse(client.isRealEpmd(), "the embedded port mapper does not answer DUMP");
        }
        startEpmd();
        assertTrue(client.isRealEpmd());
    }
}
