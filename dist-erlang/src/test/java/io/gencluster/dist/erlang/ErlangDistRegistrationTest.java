package io.gencluster.dist.erlang;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.NodeName;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.epmd.PortMapper;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A started ErlangDist is listed by the port mapper of its host under its name, at the port it
 * listens on, as a hidden Erlang node (the default). (Registration itself, and
 * registering again after a restart of the port mapper, is tested with the epmd module.)
 */
class ErlangDistRegistrationTest {

    @Test
    void aStartedNodeIsListedAtItsListenPortAsAHiddenErlangNode() throws Exception {
        try (PortMapper mapper = PortMapper.start(InetAddress.getLoopbackAddress(), 0);
                ErlangDist d = new ErlangDist(ErlangDistSettings.builder(NodeName.parse("java@127.0.0.1"),
                        "c".getBytes(StandardCharsets.UTF_8)).allowShortCookie(true).bindAddress("127.0.0.1").epmd(true, mapper.port()).build())) {
            d.start();
            EpmdClient epmd = new EpmdClient("127.0.0.1", mapper.port(), Duration.ofSeconds(2));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            NodeEntry e;
            while ((e = epmd.portPlease("java")) == null) { // start() registers before it returns, unless EPMD is slow
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("java not registered within 20 s");
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertEquals(d.port(), e.port);
            assertEquals(NodeEntry.HIDDEN, e.nodeType);
            assertEquals(false, e.isGenCluster(), "an Erlang-protocol node carries no gen-cluster marker");
        }
    }
}
