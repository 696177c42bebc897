package io.gencluster.itests.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.Figures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults as real networks have them, on five hosts with one node each, while messages stream
 * between nodes on opposite sides of the fault: packets dropped (not refused) in both directions or
 * one, a link flapping, random loss, an interface down. One cluster for every scenario, so the
 * last test can check that the whole run left no thread, socket or heap behind.
 *
 * <p>Settings: static discovery, the default refresh (5000 ms), tick 500 ms and a silence window
 * ({@code tick.timeout.ms}) of {@value #WINDOW_MS} ms, so a scenario takes seconds, not minutes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkFaultsIT {

    static final long WINDOW_MS = 3000;
    static final long REFRESH_MS = 5000;
    private static final Duration MESH = Duration.ofSeconds(60);
    /** The runtime's pool of discovery threads: it keeps up to this many while it has work. */
    private static final int DISCOVERY_POOL = 4;

    private HostCluster c;
    private Path records;
    private HostNode.Resources[] before;

    @BeforeAll
    void formTheCluster() throws Exception {
        c = HostCluster.create(5, "faults");
        records = Files.createDirectories(Path.of(System.getProperty("work.dir"), "fault-records-" + System.nanoTime()));
        String nodes = c.hosts().stream().map(h -> name(h) + ":" + HostCluster.PORT).collect(Collectors.joining(", "));
        for (Host h : c.hosts()) {
            Path conf = c.conf(h);
            Files.writeString(conf.resolve("io.gencluster.cfg"), "refresh.interval.ms = " + REFRESH_MS + "\n");
            Files.writeString(conf.resolve("io.gencluster.discovery.static.cfg"), "nodes = " + nodes + "\n");
            Files.writeString(conf.resolve("io.gencluster.dist.tcp.cfg"), String.join("\n", "node.name = ${gencluster.node.name}",
                    "port = ${gencluster.port}", "cookie = " + c.cookie(), "tick.ms = 500", "tick.timeout.ms = " + WINDOW_MS, ""));
            c.start(h, name(h));
        }
        c.awaitFullMesh(MESH);
        // a first stream warms every node up, so that what the run leaves behind is measured against a warm node
        Streams warm = new Streams("warm", records);
        warm.start(c, pairs(1, 2, 2, 3, 3, 4, 4, 5, 5, 1));
        awaitFlow(c.node(c.host(1)), "warm");
        warm.stopAndCheck();
        before = resources();
    }

    @AfterEach
    void heal() {
        c.network().faults().healAll();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (c != null) {
            c.close();
        }
    }

    @Test
    @Order(1)
    void aBlackHolePartitionTwoThreeIsDetectedOnBothSidesAndHeals() throws Exception {
        List<Host> left = List.of(c.host(1), c.host(2));
        List<Host> right = List.of(c.host(3), c.host(4), c.host(5));
        Streams streams = flowing("blackhole", c.node(c.host(4)), 1, 4, 4, 1, 2, 5, 1, 2);
        long t0 = System.currentTimeMillis();
        for (Host h : left) {
            c.network().faults().blackHole(h, right);
        }
        List<Long> detections = awaitDownsAcross(left, right, t0, Duration.ofMillis(WINDOW_MS * 3));
        Timeline.holdUntil(t0 + WINDOW_MS * 3 / 2);
        assertNoDownWithin(left, t0);
        assertNoDownWithin(right, t0);
        long healMs = healAndAwaitMesh(() -> c.network().faults().healAll());
        Streams.Totals totals = settle(streams);
        for (long d : detections) {
            assertTrue(d >= WINDOW_MS * 3 / 4 && d <= WINDOW_MS * 5 / 4, "detected after " + d + " ms, window " + WINDOW_MS + " ms ±25 %: " + detections);
        }
        figures("black-hole partition 2/3", detections, healMs, totals);
    }

    @Test
    @Order(2)
    void anAsymmetricPartitionTakesBothNodesDownAndHeals() throws Exception {
        Host a = c.host(1);
        Host b = c.host(3);
        Streams streams = flowing("oneway", c.node(b), 1, 3, 3, 1);
        long t0 = System.currentTimeMillis();
        c.network().faults().dropOneWay(a, b);
        // b hears nothing from a: down within the window. a still receives b's packets until b's
        // unacknowledged data stops flowing, so a's silence starts later: down within twice the window
        long bSawA = awaitDown(b, a, t0, Duration.ofMillis(WINDOW_MS * 3));
        long aSawB = awaitDown(a, b, t0, Duration.ofMillis(WINDOW_MS * 3));
        Timeline.holdUntil(t0 + WINDOW_MS * 5 / 2);
        assertTrue(!c.node(b).members().contains(c.name(a)) && !c.node(a).members().contains(c.name(b)),
                "h1 and h3 stay apart while h1's packets to h3 are dropped");
        long healMs = healAndAwaitMesh(() -> c.network().faults().heal(a));
        Streams.Totals totals = settle(streams);
        assertTrue(bSawA >= WINDOW_MS * 3 / 4 && bSawA <= WINDOW_MS * 5 / 4, "b saw a down after " + bSawA + " ms");
        assertTrue(aSawB >= WINDOW_MS * 3 / 4 && aSawB <= WINDOW_MS * 2, "a saw b down after " + aSawB + " ms");
        figures("asymmetric partition (h1 to h3 dropped)", List.of(bSawA, aSawB), healMs, totals);
    }

    @Test
    @Order(3)
    void aFlappingLinkLosesNoMessageSilentlyAndTheMeshIsWholeAfterwards() throws Exception {
        Host flapping = c.host(5);
        Streams streams = flowing("flap", c.node(c.host(1)), 5, 1, 1, 5, 2, 3);
        long t0 = System.currentTimeMillis();
        for (int i = 0; i < 30; i++) {
            c.network().faults().portDown(flapping);
            Timeline.holdUntil(t0 + i * 1000L + 500);
            c.network().faults().portUp(flapping);
            Timeline.holdUntil(t0 + (i + 1) * 1000L);
        }
        long healMs = healAndAwaitMesh(() -> { });
        Streams.Totals totals = settle(streams);
        long downs = downsSince(t0);
        assertNoDownWithin(List.of(c.host(1), c.host(2), c.host(3), c.host(4)), t0);
        figures("flapping link (h5, 0.5 s down every second, 30 s)", List.of(), healMs, totals, "node.downs=" + downs);
    }

    @Test
    @Order(4)
    void fivePercentLossOnOneHostCostsNoMemberAndNoMessage() throws Exception {
        Host lossy = c.host(2);
        Streams streams = flowing("loss", c.node(c.host(4)), 2, 4, 4, 2, 1, 3);
        long t0 = System.currentTimeMillis();
        c.network().faults().loss(lossy, 5);
        Timeline.holdUntil(t0 + 30_000);
        Faults.LossCount lossCount = c.network().faults().lossCount(lossy);
        c.network().faults().heal(lossy);
        Streams.Totals totals = settle(streams);
        assertEquals(0, downsSince(t0), "no node went down under 5 % loss: " + downEvents(t0));
        assertEquals(0, totals.failed(), "no send failed");
        assertEquals(totals.sent(), totals.delivered(), "every message delivered");
        figures("5 % packet loss on h2, 30 s", List.of(), 0, totals,
                "packets.dropped=" + lossCount.dropped() + " of " + lossCount.seen());
    }

    @Test
    @Order(5)
    void anInterfaceDownThenUpIsDetectedAndHeals() throws Exception {
        Host h = c.host(3);
        List<Host> others = List.of(c.host(1), c.host(2), c.host(4), c.host(5));
        Streams streams = flowing("ifdown", c.node(c.host(1)), 3, 1, 2, 3, 4, 5);
        long t0 = System.currentTimeMillis();
        c.network().faults().linkDown(h);
        List<Long> detections = awaitDownsAcross(List.of(h), others, t0, Duration.ofMillis(WINDOW_MS * 3));
        Timeline.holdUntil(t0 + WINDOW_MS * 3 / 2);
        long healMs = healAndAwaitMesh(() -> c.network().faults().linkUp(h));
        Streams.Totals totals = settle(streams);
        for (long d : detections) {
            assertTrue(d <= WINDOW_MS * 5 / 4, "detected after " + d + " ms, window " + WINDOW_MS + " ms: " + detections);
        }
        figures("h3's interface down, then up", detections, healMs, totals);
    }

    @Test
    @Order(6)
    void theRunLeftNoThreadSocketOrHeapBehind() {
        HostNode.Resources[] after = resources();
        for (int i = 0; i < after.length; i++) {
            String n = c.nodes().get(i).name();
            assertEquals(before[i].sockets(), after[i].sockets(), n + ": sockets before " + before[i] + ", after " + after[i]);
            Map<String, Integer> was = threadsByName(before[i]);
            for (Map.Entry<String, Integer> t : threadsByName(after[i]).entrySet()) {
                // the runtime's discovery pool keeps up to its bound of threads while it has work
                int allowed = t.getKey().equals("gencluster-discovery") ? DISCOVERY_POOL : was.getOrDefault(t.getKey(), 0);
                assertTrue(t.getValue() <= allowed, n + ": " + t.getValue() + " threads " + t.getKey() + ", before " + before[i]
                        + ", after " + after[i]);
            }
            assertTrue(after[i].heapUsed() <= before[i].heapUsed() + (16 << 20), n + ": heap before " + before[i] + ", after " + after[i]);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String name(Host h) {
        return "n" + h.index() + "@" + h.address();
    }

    private List<Host[]> pairs(int... fromTo) {
        List<Host[]> out = new ArrayList<>();
        for (int i = 0; i < fromTo.length; i += 2) {
            out.add(new Host[] {c.host(fromTo[i]), c.host(fromTo[i + 1])});
        }
        return out;
    }

    /** Starts the streams of {@code pairs} (from, to, from, to, ...) into {@code mailbox}; returns once they flow at {@code watched}. */
    private Streams flowing(String mailbox, HostNode watched, int... pairs) {
        Streams streams = new Streams(mailbox, records);
        streams.start(c, pairs(pairs));
        awaitFlow(watched, mailbox);
        return streams;
    }

    /** Waits until {@code receiver}'s mailbox got its first 500 messages: the streams flow. */
    private void awaitFlow(HostNode receiver, String mailbox) {
        receiver.awaitReceived(mailbox, records.resolve("flow-" + mailbox), 500, Duration.ofSeconds(20));
    }

    /** Each node of {@code side} sees each of {@code others} down, and the other way round; ms after t0. */
    private List<Long> awaitDownsAcross(List<Host> side, List<Host> others, long t0, Duration bound) {
        List<Long> out = new ArrayList<>();
        for (Host x : side) {
            for (Host y : others) {
                out.add(awaitDown(x, y, t0, bound));
                out.add(awaitDown(y, x, t0, bound));
            }
        }
        return out;
    }

    private long awaitDown(Host at, Host of, long t0, Duration bound) {
        String node = c.name(of);
        return c.node(at).awaitEvent(e -> e.kind().equals("down") && e.node().equals(node) && e.t() >= t0, bound).t() - t0;
    }

    /** No node of {@code hosts} saw another node of {@code hosts} go down since t0. */
    private void assertNoDownWithin(List<Host> hosts, long t0) {
        List<String> names = hosts.stream().map(c::name).collect(Collectors.toList());
        for (Host h : hosts) {
            List<HostNode.Event> wrong = c.node(h).events().stream()
                    .filter(e -> e.kind().equals("down") && e.t() >= t0 && names.contains(e.node())).collect(Collectors.toList());
            assertEquals(List.of(), wrong, c.name(h) + " saw a node of its own side go down");
        }
    }

    private long healAndAwaitMesh(Runnable heal) {
        long t1 = System.currentTimeMillis();
        heal.run();
        c.awaitFullMesh(MESH);
        long healMs = System.currentTimeMillis() - t1;
        assertTrue(healMs <= REFRESH_MS, "healed after " + healMs + " ms, more than one refresh interval (" + REFRESH_MS + " ms)");
        return healMs;
    }

    /** Lets the streams flow on the healed mesh, stops and checks them, and checks one connection per pair. */
    private Streams.Totals settle(Streams streams) throws Exception {
        awaitFlowAgain();
        Streams.Totals totals = streams.stopAndCheck();
        assertEquals(Map.of(), c.pairsWithoutOneConnection(), "exactly one connection per pair of nodes");
        return totals;
    }

    private void awaitFlowAgain() throws InterruptedException {
        Timeline.holdUntil(System.currentTimeMillis() + 1000); // a second of traffic on the healed mesh before the streams stop
    }

    private long downsSince(long t0) {
        return downEvents(t0).size();
    }

    private List<String> downEvents(long t0) {
        List<String> out = new ArrayList<>();
        for (HostNode n : c.nodes()) {
            n.events().stream().filter(e -> e.kind().equals("down") && e.t() >= t0)
                    .forEach(e -> out.add(n.name() + " saw " + e.node() + " down (" + e.detail() + ")"));
        }
        return out;
    }

    private static Map<String, Integer> threadsByName(HostNode.Resources r) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (String entry : r.threadNames().split(",")) {
            int star = entry.lastIndexOf('*');
            if (star > 0) {
                out.put(entry.substring(0, star), Integer.parseInt(entry.substring(star + 1)));
            }
        }
        return out;
    }

    private HostNode.Resources[] resources() {
        return c.nodes().stream().map(HostNode::resources).toArray(HostNode.Resources[]::new);
    }

    private void figures(String scenario, List<Long> detections, long healMs, Streams.Totals t, String... extra) throws IOException {
        Figures f = new Figures(scenario).put("window.ms", WINDOW_MS).put("refresh.ms", REFRESH_MS);
        if (!detections.isEmpty()) {
            f.put("detection.ms.min", detections.stream().mapToLong(Long::longValue).min().getAsLong());
            f.put("detection.ms.max", detections.stream().mapToLong(Long::longValue).max().getAsLong());
        }
        f.put("heal.ms", healMs).put("sent", t.sent()).put("delivered", t.delivered()).put("failed.at.sender", t.failed())
                .put("lost.in.flight.reported", t.lostInFlight()).put("duplicated", t.duplicated())
                .put("connections.per.pair", 1);
        for (String e : extra) {
            f.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        f.write();
    }
}
