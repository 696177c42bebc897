package io.gencluster.itests;

import static io.gencluster.itests.JvmCluster.TIMEOUT;
import static io.gencluster.itests.JvmCluster.full;
import static io.gencluster.itests.JvmCluster.ms;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.Figures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * dist-tcp's default freeze detection, every node a JVM of its own on 127.0.0.1 with
 * {@code tick.ms} and {@code tick.timeout.ms} left at their defaults: a frozen node (SIGSTOP) is
 * reported down within 3 s, while a node paused for 1.5 s (a long GC) and nodes starved by other
 * processes saturating every core are never reported down. Figures go to RELIABILITY.md.
 */
class FreezeDetectionIT {

    /** Where a frozen node must be reported by: the target of the defaults. */
    private static final long BOUND_MS = 3000;
    /** What the test's own observation may add: signal, event line through a pipe, a loaded machine. */
    private static final long OBSERVATION_MS = 500;
    /** The default window ({@code tick.timeout.ms}) and tick ({@code tick.ms}). */
    private static final long WINDOW_MS = 2500;
    private static final long TICK_MS = 500;
    private static final long PAUSE_MS = 1500;
    private static final Map<String, String> DEFAULTS = Map.of();

    private JvmCluster cluster;
    private BusyLoops loops;
    /** Per node, how many events it had printed once the mesh was formed: what came before is start-up. */
    private final Map<NodeProcess, Integer> atMesh = new HashMap<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        if (loops != null) {
            loops.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aFrozenNodeIsReportedDownByEveryOtherWithinThreeSecondsOnTheDefaults() throws Exception {
        cluster = new JvmCluster("freeze-defaults", "n1", "n2", "n3");
        List<NodeProcess> nodes = mesh(DEFAULTS, DEFAULTS, DEFAULTS);
        NodeProcess victim = nodes.get(2);

        victim.signal("STOP");
        long frozen = System.nanoTime();
        long slowest = 0;
        long fastest = Long.MAX_VALUE;
        for (NodeProcess p : nodes.subList(0, 2)) {
            NodeProcess.Event down = p.awaitEvent(e -> e.isDown(full("n3")) && e.nanos() > frozen, TIMEOUT);
            assertTrue(down.text().contains("(HEARTBEAT_TIMEOUT"), p.name + ": " + down.text());
            slowest = Math.max(slowest, ms(frozen, down.nanos()));
            fastest = Math.min(fastest, ms(frozen, down.nanos()));
            cluster.awaitMembersWithout(p, "n3");
        }
        assertTrue(slowest <= BOUND_MS + OBSERVATION_MS, "frozen node reported down after " + slowest + " ms");
        // a verdict on silence, not on something else: not before the window less a tick and a sweep
        assertTrue(fastest >= WINDOW_MS - TICK_MS - 200, "frozen node reported down after only " + fastest + " ms");

        victim.signal("CONT");
        long resumed = System.nanoTime();
        cluster.awaitMesh(nodes.toArray(NodeProcess[]::new));
        long back = ms(resumed, System.nanoTime());
        new Figures("SIGSTOP of one node of 3 on the default tick settings").put("detection.ms", fastest + ".." + slowest)
                .put("reconnect.ms", back).put("bound.ms", BOUND_MS)
                .put("note", "tick.ms 500, tick.timeout.ms 2500 (defaults); down reason HEARTBEAT_TIMEOUT at both others").write();
    }

    @Test
    void nodesPausedForOneAndAHalfSecondsFiveTimesAreNeverReportedDown() throws Exception {
        cluster = new JvmCluster("pause-defaults", "n1", "n2", "n3");
        List<NodeProcess> nodes = mesh(DEFAULTS, DEFAULTS, DEFAULTS);

        long longest = 0;
        for (int i = 0; i < 5; i++) {
            NodeProcess paused = nodes.get(i % nodes.size()); // each node is paused, and sees others paused
            longest = Math.max(longest, pause(paused, PAUSE_MS));
            JvmCluster.during(Duration.ofMillis(1000), () -> cluster.assertNoneDownSince(atMesh));
        }
        // a verdict on the last pause would come at the latest a window after it ended
        JvmCluster.during(Duration.ofMillis(WINDOW_MS + 1000), () -> cluster.assertNoneDownSince(atMesh));
        new Figures("SIGSTOP for 1.5 s then SIGCONT, 5 times, nodes of 3 in turn, default tick settings")
                .put("pause.ms", longest).put("node.downs", 0).put("note", "no node-down event at any node; full mesh throughout").write();
    }

    /**
     * A node stopped for longer than its own window finds, on resume, every peer silent for as
     * long as it was stopped, while their ticks wait unread in its sockets: it reads them before
     * judging. Its peers' window is long enough that they keep it.
     */
    @Test
    void aNodeStoppedLongerThanItsOwnWindowReadsItsPeersTicksBeforeJudgingThem() throws Exception {
        cluster = new JvmCluster("pause-own-window", "n1", "n2", "n3");
        Map<String, String> patient = Map.of("tick.ms", "250", "tick.timeout.ms", "10000");
        Map<String, String> impatient = Map.of("tick.ms", "100", "tick.timeout.ms", "1000");
        List<NodeProcess> nodes = mesh(patient, patient, impatient);

        for (int i = 0; i < 3; i++) {
            pause(nodes.get(2), PAUSE_MS);
            JvmCluster.during(Duration.ofMillis(2000), () -> cluster.assertNoneDownSince(atMesh));
        }
    }

    @Test
    void threeNodesOnTheDefaultsStayUpWhileEveryCoreIsSaturatedForAMinute() throws Exception {
        cluster = new JvmCluster("saturation-defaults", "n1", "n2", "n3");
        List<NodeProcess> nodes = mesh(DEFAULTS, DEFAULTS, DEFAULTS);

        loops = BusyLoops.twoPerCore();
        long start = System.nanoTime();
        double cpu = loops.cpuSeconds();
        long[] machine = BusyLoops.machineTicks();
        JvmCluster.during(Duration.ofSeconds(60), () -> {
            cluster.assertNoneDownSince(atMesh);
            assertTrue(loops.allAlive(), "a busy loop ended");
        });
        long[] after = BusyLoops.machineTicks();
        double idle = (double) (after[1] - machine[1]) / (after[0] - machine[0]);
        double cores = (loops.cpuSeconds() - cpu) / (ms(start, System.nanoTime()) / 1000.0);
        int count = loops.count();
        loops.close();
        loops = null;
        // saturated: no core idle (the loops' own share depends on what else runs on the machine)
        assertTrue(idle < 0.05, String.format(Locale.ROOT, "the machine was idle %.1f %% of the time", idle * 100));
        new Figures("every core saturated by busy loops for 60 s under 3 nodes on the default tick settings")
                .put("busy.loops", count).put("cores.used.by.loops", String.format(Locale.ROOT, "%.2f", cores))
                .put("idle.percent", String.format(Locale.ROOT, "%.1f", idle * 100)).put("node.downs", 0)
                .put("note", "no node-down event at any node; full mesh throughout").write();
    }

    /** Starts n1, n2, n3 with these tick settings and waits for the full mesh and every node-up event. */
    private List<NodeProcess> mesh(Map<String, String> n1, Map<String, String> n2, Map<String, String> n3) throws Exception {
        List<NodeProcess> nodes = new ArrayList<>();
        nodes.add(cluster.startWithTicks("n1", n1));
        nodes.add(cluster.startWithTicks("n2", n2));
        nodes.add(cluster.startWithTicks("n3", n3));
        cluster.awaitMesh(nodes.toArray(NodeProcess[]::new));
        for (NodeProcess p : nodes) {
            // the membership line can come before the event line: wait for every node-up
            for (String other : cluster.othersThan(p.name)) {
                p.awaitEvent(e -> e.isUp(other), TIMEOUT);
            }
        }
        atMesh.putAll(JvmCluster.eventMarks(nodes));
        return nodes;
    }

    /** SIGSTOP, {@code ms} of pause (the pause itself, not a wait for anything), SIGCONT; the pause as measured. */
    private static long pause(NodeProcess p, long ms) throws Exception {
        p.signal("STOP");
        long stopped = System.nanoTime();
        Thread.sleep(ms);
        p.signal("CONT");
        return JvmCluster.ms(stopped, System.nanoTime());
    }
}
