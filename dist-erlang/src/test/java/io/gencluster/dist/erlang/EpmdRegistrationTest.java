package io.gencluster.dist.erlang;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.NodeName;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.epmd.PortMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Registration with an EPMD-compatible port mapper on a test port: listed as an Erlang node
 * (hidden type, version 6, no gen-cluster marker), and registered again when the port mapper
 * restarts, as OTP nodes do.
 */
class EpmdRegistrationTest {

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static NodeEntry await(EpmdClient epmd, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                NodeEntry e = epmd.portPlease(name);
                if (e != null) {
                    return e;
                }
            } catch (java.io.IOException notYet) {
                // the port mapper is restarting
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError(name + " not registered within 20 s");
    }

    /** Binds the port again once the closed port mapper has let go of it (connections may linger briefly). */
    private static PortMapper restart(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                return PortMapper.start(InetAddress.getLoopbackAddress(), port);
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
        int port = freePort();
        PortMapper mapper = PortMapper.start(InetAddress.getLoopbackAddress(), port);
        try (ErlangDist d = new ErlangDist(ErlangDistSettings.builder(NodeName.parse("java@127.0.0.1"),
                "c".getBytes(StandardCharsets.UTF_8)).bindAddress("127.0.0.1").epmd(true, port).build())) {
            d.start();
            EpmdClient epmd = new EpmdClient("127.0.0.1", port, Duration.ofSeconds(2));
            NodeEntry e = await(epmd, "java");
            assertEquals(d.port(), e.port);
            assertEquals(NodeEntry.HIDDEN, e.nodeType);
            assertEquals(6, e.highestVersion);
            assertEquals(6, e.lowestVersion);
            assertEquals(false, e.isGenCluster(), "an Erlang-protocol node carries no gen-cluster marker");

            mapper.close();
            mapper = restart(port);
            assertEquals(d.port(), await(epmd, "java").port);
        } finally {
            mapper.close();
        }
    }
}
