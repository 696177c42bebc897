package io.gencluster.itests.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The probe and {@link HostNode} without namespaces: two nodes of the built distribution (with the
 * probe bundle added) on 127.0.0.1, each other's static peers, talking to the test over stdin and
 * stdout. What the namespace tests build on, checked where it needs no root.
 */
class ProbeIT {

    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String A = "a@127.0.0.1";
    private static final String B = "b@127.0.0.1";

    private static Path work;
    private static Path distribution;
    private final List<HostNode> nodes = new ArrayList<>();

    /** One copy of the distribution with the probe in bundle/, shared by the nodes (each has its own conf and data). */
    @BeforeAll
    static void copyDistribution() throws IOException {
        work = Files.createDirectories(Path.of(System.getProperty("work.dir"), "probe-it-" + System.nanoTime()));
        distribution = ProbedDistribution.copyTo(work.resolve("dist"));
    }

    @AfterEach
    void killNodes() throws InterruptedException {
        for (HostNode n : nodes) {
            n.close();
        }
    }

    @Test
    void twoNodesStreamInOrderAndTheSenderRecordsFailuresOnceTheReceiverIsKilled() throws Exception {
        int portA = freePort();
        int portB = freePort();
        String peers = "nodes = " + A + ":" + portA + ", " + B + ":" + portB;
        String cookie = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        HostNode a = start(A, portA, conf("a", peers, cookie));
        HostNode b = start(B, portB, conf("b", peers, cookie));

        assertEquals(A, a.awaitReady(START));
        assertEquals(B, b.awaitReady(START));
        a.awaitMembers(Set.of(B), WAIT);
        b.awaitMembers(Set.of(A), WAIT);

        assertTrue(a.command("launch rockets", "PROBE ERROR ", WAIT).contains("unknown command 'launch'"));
        assertTrue(a.command("stream nobody in 500", "PROBE ERROR ", WAIT).contains("invalid node name"));
        assertTrue(a.command("received nothing " + work.resolve("x"), "PROBE ERROR ", WAIT).contains("no mailbox 'nothing'"));

        b.mailbox("in");
        a.stream(B, "in", 500, 2000);
        HostNode.StreamTotals done = a.awaitStreamDone(B, "in", WAIT);
        assertEquals(new HostNode.StreamTotals(2000, 2000, 0), done);
        Path receivedFile = work.resolve("b-in.received");
        assertEquals(2000, b.awaitReceived("in", receivedFile, 2000, WAIT));
        Path sentFile = work.resolve("a-in.sent");
        assertEquals(done, a.streamStop(B, "in", sentFile));
        List<StreamRecord.SentRun> sent = StreamRecord.readSent(sentFile);
        List<StreamRecord.ReceivedRun> received = StreamRecord.readReceived(receivedFile, A);
        StreamRecord.assertInOrder(received);
        assertEquals(List.of(new StreamRecord.ReceivedRun(A, 0, 1999)), received);
        assertEquals(List.of(), StreamRecord.undelivered(sent, received));

        // the distribution prints what its mailbox 'inbox' receives: a message is seen without writing code
        a.stream(B, "inbox", 500, 3);
        a.awaitStreamDone(B, "inbox", WAIT);
        assertEquals("message to inbox from " + A + ": 2", b.awaitOutput("message to inbox from " + A + ": 2", WAIT));

        // a second stream, 2 s long, across b's death: what was sent after a heard of it failed
        a.stream(B, "in", 500, 4000);
        b.kill();
        HostNode.Event down = a.awaitEvent(e -> e.kind().equals("down") && e.node().equals(B), WAIT);
        a.awaitMembers(Set.of(), WAIT);
        HostNode.StreamTotals across = a.awaitStreamDone(B, "in", WAIT);
        Path acrossFile = work.resolve("a-in-across.sent");
        assertEquals(across, a.streamStop(B, "in", acrossFile));
        List<StreamRecord.SentRun> acrossRuns = StreamRecord.readSent(acrossFile);
        assertEquals(4000, across.sent());
        assertTrue(across.failed() > 0, "no send failed after b was killed: " + acrossRuns);
        assertEquals(across.failed(), StreamRecord.count(acrossRuns, false));
        StreamRecord.SentRun last = acrossRuns.get(acrossRuns.size() - 1);
        assertTrue(!last.ok() && last.last() == 3999, "the stream did not end failing: " + acrossRuns);
        for (StreamRecord.SentRun r : acrossRuns) {
            // accepted after the down event only if the send raced the transport noticing it
            assertTrue(!r.ok() || r.tLast() <= down.t() + 1000, "accepted long after " + down + ": " + r);
        }
        HostNode.Resources res = a.resources();
        assertTrue(res.threads() > 0 && res.sockets() > 0 && res.heapUsed() > 0, res.toString());
    }

    private HostNode start(String name, int port, Path conf) throws IOException {
        String n = name.substring(0, name.indexOf('@'));
        HostNode node = HostNode.start(List.of(), distribution, name, port, conf, work.resolve(n + "-data"), work.resolve(n + ".log"));
        nodes.add(node);
        return node;
    }

    /** The node's conf directory: the runtime refreshing often, a static list, the transport on loopback without EPMD. */
    private static Path conf(String name, String peers, String cookie) throws IOException {
        Path conf = Files.createDirectories(work.resolve(name + "-conf"));
        Files.writeString(conf.resolve("io.gencluster.cfg"), "refresh.interval.ms = 500\n");
        Files.writeString(conf.resolve("io.gencluster.discovery.static.cfg"), peers + "\n");
        Files.writeString(conf.resolve("io.gencluster.dist.tcp.cfg"), String.join("\n", "node.name = ${gencluster.node.name}",
                "port = ${gencluster.port}", "cookie = " + cookie, "epmd.register = false", ""));
        return conf;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
