package io.gencluster.itests;

import static io.gencluster.itests.JvmCluster.TIMEOUT;
import static io.gencluster.itests.JvmCluster.full;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.Figures;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Configuration churn on a node in its own JVM, connected to another: 100 rapid updates of the
 * runtime's configuration and 100 of the static strategy's, then the strategy and runtime bundles
 * stopped and started 20 times each. Afterwards the node holds as many gen-cluster threads and
 * sockets as before (counted by thread name prefix and from /proc/self/fd), and is in the state
 * its last configuration says. (A pool may keep up to its bound of idle threads while it has work
 * now and then; that is bounded, not a leak: what is checked is that no thread of a replaced
 * component survives.)
 */
class ConfigChurnIT {

    private static final int UPDATES = 100;
    private static final int BUNDLE_CYCLES = 20;
    /** The runtime's discovery pool bound (runtime/README.md, Threads). */
    private static final int DISCOVERY_POOL = 4;

    private JvmCluster cluster;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void command(NodeProcess p, String command) throws InterruptedException {
        p.send(command);
        String reply = p.awaitLine(l -> l.equals("OK") || l.startsWith("ERROR"), TIMEOUT);
        assertEquals("OK", reply, command);
    }

    /** Thread counts by name ("names={a=1, b=2}" of NodeMain's resources line). */
    private static Map<String, Integer> threadsByName(Map<String, String> resources) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        String names = resources.get("names").replaceAll("[{}]", "");
        for (String kv : names.split(",\\s*")) {
            if (!kv.isBlank()) {
                out.put(kv.substring(0, kv.indexOf('=')), Integer.parseInt(kv.substring(kv.indexOf('=') + 1)));
            }
        }
        return out;
    }

    private static boolean withinBounds(Map<String, String> before, Map<String, String> after) {
        Map<String, Integer> was = threadsByName(before);
        for (Map.Entry<String, Integer> e : threadsByName(after).entrySet()) {
            int bound = e.getKey().equals("gencluster-discovery") ? DISCOVERY_POOL : Math.max(1, was.getOrDefault(e.getKey(), 0));
            if (e.getValue() > bound) {
                return false;
            }
        }
        return true;
    }

    @Test
    void rapidConfigurationUpdatesAndBundleRestartsLeakNoThreadOrSocketAndEndInTheLastConfiguredState() throws Exception {
        cluster = new JvmCluster("churn", "n1", "n2", "n3");
        NodeProcess n1 = cluster.start("n1");
        NodeProcess n2 = cluster.start("n2");
        n1.awaitMembers(JvmCluster.names("n2"), TIMEOUT);
        Map<String, String> before = n1.resources();
        String n2Entry = full("n2") + ":" + cluster.ports.get("n2");
        String n3Entry = full("n3") + ":" + cluster.ports.get("n3"); // never started: a peer that fails to connect

        long start = System.nanoTime();
        for (int i = 0; i < UPDATES; i++) {
            command(n1, "config io.gencluster refresh.interval.ms=" + (200 + 100 * (i % 5)) + " reconnect.backoff.initial.ms=50"
                    + " reconnect.backoff.max.ms=" + (100 + 50 * (i % 3)) + " connect.timeout.ms=1000");
            command(n1, "config io.gencluster.discovery.static nodes=" + (i % 2 == 0 ? n2Entry + "," + n3Entry : n2Entry));
        }
        for (int i = 0; i < BUNDLE_CYCLES; i++) {
            command(n1, "bundle-stop io.gencluster.discovery-static");
            command(n1, "bundle-start io.gencluster.discovery-static");
            command(n1, "bundle-stop io.gencluster.runtime");
            command(n1, "bundle-start io.gencluster.runtime");
        }
        long churn = JvmCluster.ms(start, System.nanoTime());
        // the last word: refresh every second, discovering n2 only
        command(n1, "config io.gencluster refresh.interval.ms=1000 reconnect.backoff.initial.ms=100 reconnect.backoff.max.ms=500"
                + " connect.timeout.ms=1000");
        command(n1, "config io.gencluster.discovery.static nodes=" + n2Entry);
        n1.awaitMembers(JvmCluster.names("n2"), TIMEOUT);
        n2.awaitMembers(JvmCluster.names("n1"), TIMEOUT);

        // threads of replaced loops end, and their sockets close, within a bounded time. Pools
        // keep threads up to their bound while they have work (the runtime's discovery pool: 4,
        // see runtime/README.md); every other kind of thread is one per component, as before
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, String> after = n1.resources();
        while (!(withinBounds(before, after) && after.get("sockets").equals(before.get("sockets")))) {
            assertTrue(System.nanoTime() < deadline, "before the churn " + before + ", after it " + after);
            Thread.sleep(200);
            after = n1.resources();
        }
        n1.send("describe");
        String described = n1.awaitLine(l -> l.startsWith("DESCRIBE "), TIMEOUT);
        assertTrue(described.contains(full("n2")) && !described.contains("n3@"), "the last configuration rules: " + described);
        JvmCluster.during(Duration.ofMillis(1500), () -> assertEquals(JvmCluster.names("n2"), n1.members()));
        new Figures("configuration churn: 100+100 updates, 20+20 bundle restarts").put("churn.ms", churn)
                .put("threads.before", before.get("threads")).put("threads.after", after.get("threads"))
                .put("jvm.threads.before", before.get("jvmThreads")).put("jvm.threads.after", after.get("jvmThreads"))
                .put("sockets.before", before.get("sockets")).put("sockets.after", after.get("sockets"))
                .put("note", "gen-cluster threads by name prefix and socket fds of the churned JVM; ends connected to n2 only")
                .write();
    }
}
