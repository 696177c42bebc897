package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.awaitMembers;
import static io.gencluster.itests.EmbeddedNodes.names;
import static io.gencluster.itests.EmbeddedNodes.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.itests.node.FelixNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster:* commands typed into Gogo (the command processor Karaf also runs) on node a of a
 * real two-node cluster; the output is what an operator reads.
 */
class ShellCommandsIT {

    private EmbeddedNodes cluster;
    private Gogo gogo;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new EmbeddedNodes("shell");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (gogo != null) {
            gogo.close();
        }
        cluster.close();
    }

    @Test
    void anOperatorReadsTheClusterAndActsOnItThroughGogo() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        FelixNode b = cluster.start("b", "c00kie-for-integration-tests");
        cluster.discover(a, "b");
        cluster.discover(b, "a");
        // a long interval: every change below is the operator's doing, not a timed refresh
        runtime(a, "refresh.interval.ms", "60000");
        runtime(b);
        gogo = Gogo.open(a, EmbeddedNodes.TIMEOUT);
        awaitMembers(a, names("b"));
        // the transport counts b a member a moment before the runtime has heard of it
        EmbeddedNodes.await("b's row", () -> row(gogo, "b@127.0.0.1"), List.of("b@127.0.0.1", "connected", "yes", "0", "-", "-"));

        String status = gogo.execute("cluster:status");
        List<String> lines = status.lines().toList();
        assertEquals("self     a@127.0.0.1", lines.get(0), status);
        assertEquals("members  1 connected", lines.get(1), status);
        assertEquals(List.of("NODE", "STATUS", "DISCOVERED", "FAILURES", "NEXT", "ATTEMPT", "LAST", "ERROR"), words(lines.get(3)));
        assertEquals(List.of("b@127.0.0.1", "connected", "yes", "0", "-", "-"), words(lines.get(4)), status);
        assertAligned(lines.get(3), lines.get(4), "STATUS", "connected");

        String discovered = gogo.execute("cluster:discovered");
        assertEquals(List.of("b@127.0.0.1", String.valueOf(cluster.ports.get("b")), "connected"),
                words(discovered.lines().toList().get(1)), discovered);

        BlockingQueue<String> inbox = new ArrayBlockingQueue<>(10);
        b.mailbox("inbox", (from, payload) -> inbox.add(from + " " + new String(payload, StandardCharsets.UTF_8)));
        assertEquals("queued 12 bytes (text as UTF-8) for mailbox inbox on b@127.0.0.1; delivery is not confirmed: a mailbox"
                + " nobody handles there drops it\n", gogo.execute("cluster:send b@127.0.0.1 inbox hello from a"));
        assertEquals("a@127.0.0.1 hello from a", inbox.poll(EmbeddedNodes.TIMEOUT.toSeconds(), TimeUnit.SECONDS));

        assertEquals("disconnected b@127.0.0.1 (discovery still reports it: it is reconnected after its backoff)\n",
                gogo.execute("cluster:disconnect b@127.0.0.1"));
        // beside a connected node the last error is history, and says so
        EmbeddedNodes.await("b's row once it is back, with the drop as its earlier error", () -> prefix(row(gogo, "b@127.0.0.1"), 10),
                List.of("b@127.0.0.1", "connected", "yes", "0", "-", "(before", "it", "connected)", "down:", "DISCONNECTED"));

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens here once it is closed
        }
        // a failed command prints one line naming itself and why, not an exception
        String refused = gogo.execute("cluster:connect c@127.0.0.1:" + closed);
        assertTrue(refused.startsWith("cluster:connect: cannot connect c@127.0.0.1:" + closed + ": ")
                && refused.indexOf('\n') == refused.length() - 1, refused);
        List<String> c = row(gogo, "c@127.0.0.1");
        assertEquals(List.of("c@127.0.0.1", "disconnected", "no", "1", "-"), c.subList(0, 5), "a node nobody discovers is not retried: " + c);

        assertTrue(gogo.execute("cluster:connect b@127.0.0.1").startsWith("connected b@127.0.0.1 ("));

        cluster.discover(a); // b is no longer discovered by a; the operator does not wait for the interval
        // ConfigAdmin hands the new list to the strategy on a thread of its own: refresh until it has
        EmbeddedNodes.await("what cluster:refresh says", () -> firstLine(gogo, "cluster:refresh"), "refreshed: 0 peer(s) discovered");
        assertEquals(List.of("b@127.0.0.1", "connected", "no"), row(gogo, "b@127.0.0.1").subList(0, 3),
                "kept connected (removed.nodes=keep), no longer discovered");

        String bad = gogo.execute("cluster:connect nonsense");
        assertTrue(bad.startsWith("cluster:connect: ") && bad.contains("'nonsense'"), bad);
    }

    private static List<String> words(String line) {
        return List.of(line.trim().split("\\s+"));
    }

    /** The words of {@code node}'s row in cluster:status, or an empty list. */
    private static List<String> row(Gogo gogo, String node) {
        try {
            return gogo.execute("cluster:status").lines().filter(l -> l.startsWith(node + " ")).findFirst()
                    .map(ShellCommandsIT::words).orElse(List.of());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String firstLine(Gogo gogo, String command) {
        try {
            return gogo.execute(command).lines().findFirst().orElse("");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> prefix(List<String> words, int n) {
        return words.size() < n ? words : words.subList(0, n);
    }

    private static void assertAligned(String header, String row, String column, String cell) {
        assertEquals(header.indexOf(column), row.indexOf(cell), "column " + column + " aligned:\n" + header + "\n" + row);
    }
}
