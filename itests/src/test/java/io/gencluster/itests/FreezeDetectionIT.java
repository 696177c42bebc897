package io.gencluster.itests;

import static io.gencluster.itests.JvmCluster.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * dist-tcp's freeze detection, every node a JVM of its own on 127.0.0.1: a node that was stopped
 * itself does not declare its live peers down on resume.
 */
class FreezeDetectionIT {

    private static final long PAUSE_MS = 1500;

    private JvmCluster cluster;
    /** Per node, how many events it had printed once the mesh was formed: what came before is start-up. */
    private final Map<NodeProcess, Integer> atMesh = new HashMap<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
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
            JvmCluster.during(Duration.ofMillis(2000), () -> assertNoneDown(nodes));
        }
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
        for (NodeProcess p : nodes) {
            atMesh.put(p, p.events().size());
        }
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

    private void assertNoneDown(List<NodeProcess> nodes) {
        for (NodeProcess p : nodes) {
            List<NodeProcess.Event> all = p.events();
            List<NodeProcess.Event> downs = all.subList(atMesh.get(p), all.size()).stream()
                    .filter(e -> e.text().startsWith("node down ")).toList();
            assertEquals(List.of(), downs, p.name + " reported a node down");
            assertEquals(cluster.othersThan(p.name), p.members(), p.name + "'s members");
        }
    }
}
