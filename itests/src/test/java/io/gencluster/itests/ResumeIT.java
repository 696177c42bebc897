package io.gencluster.itests;

import static io.gencluster.itests.JvmCluster.TIMEOUT;
import static io.gencluster.itests.JvmCluster.full;
import static io.gencluster.itests.JvmCluster.ms;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.Figures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node frozen (SIGSTOP) until its peers report it down rejoins as it resumes, not after the
 * reconnect backoff: the connections it finds closed had lived longer than the initial backoff, so
 * it and its peers dial each other again at once. The backoff here is 5 s (4 s at the least, with
 * its jitter) and refreshes are a minute apart, so neither could bring it back within the 3 s the
 * test allows. Every node a JVM of its own on 127.0.0.1.
 */
class ResumeIT {

    private static final long BACKOFF_MS = 5000;
    /** What the mesh may take after SIGCONT: a prompt redial comes within a fifth of the backoff. */
    private static final long BOUND_MS = 3000;
    private static final Map<String, String> TICKS = Map.of("tick.ms", "100", "tick.timeout.ms", "1000");
    private static final Map<String, String> RUNTIME = Map.of("refresh.interval.ms", "60000",
            "reconnect.backoff.initial.ms", String.valueOf(BACKOFF_MS), "reconnect.backoff.max.ms", "30000");

    private JvmCluster cluster;

    @AfterEach
    void stopAll() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodeReportedDownWhileFrozenIsBackInTheMeshAsItResumesNotAfterTheBackoff() throws Exception {
        cluster = new JvmCluster("resume", "n1", "n2", "n3");
        List<NodeProcess> nodes = new ArrayList<>();
        for (String n : List.of("n1", "n2", "n3")) {
            nodes.add(cluster.startWithTicks(n, TICKS, RUNTIME));
        }
        cluster.awaitMesh(nodes.toArray(NodeProcess[]::new));
        // the connections live longer than the initial backoff: a drop of theirs is redialled at once
        Map<NodeProcess, Integer> atMesh = JvmCluster.eventMarks(nodes);
        JvmCluster.during(Duration.ofMillis(BACKOFF_MS + 500), () -> cluster.assertNoneDownSince(atMesh));

        NodeProcess victim = nodes.get(2);
        victim.signal("STOP");
        long frozen = System.nanoTime();
        for (NodeProcess p : nodes.subList(0, 2)) {
            NodeProcess.Event down = p.awaitEvent(e -> e.isDown(full("n3")) && e.nanos() > frozen, TIMEOUT);
            assertTrue(down.text().contains("(HEARTBEAT_TIMEOUT"), p.name + ": " + down.text());
            cluster.awaitMembersWithout(p, "n3");
        }
        victim.signal("CONT");
        long resumed = System.nanoTime();
        cluster.awaitMesh(nodes.toArray(NodeProcess[]::new));
        long back = ms(resumed, System.nanoTime());
        assertTrue(back <= BOUND_MS, "full mesh again " + back + " ms after SIGCONT; the backoff alone takes 4000 ms or more");
        for (NodeProcess p : nodes.subList(0, 2)) {
            p.awaitEvent(e -> e.isUp(full("n3")) && e.nanos() > frozen, TIMEOUT);
        }
        new Figures("SIGSTOP of one node of 3 until both others report it, then SIGCONT; reconnect backoff 5 s")
                .put("reconnect.ms", back).put("bound.ms", BOUND_MS)
                .put("note", "tick.ms 100, tick.timeout.ms 1000, refresh.interval.ms 60000; connections up 5.5 s before the freeze")
                .write();
    }
}
