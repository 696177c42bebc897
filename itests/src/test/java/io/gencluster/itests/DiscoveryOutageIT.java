package io.gencluster.itests;

import static io.gencluster.itests.JvmCluster.TIMEOUT;
import static io.gencluster.itests.NodeProcess.configs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.Figures;
import io.gencluster.testing.FreePorts;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The discovery source failing under a running cluster (DnsDiscoveryIT covers the DNS server
 * stopping): epmd killed, and a static list with a host that does not resolve. Members stay
 * connected; the failure is logged once, not once per refresh, and so is the recovery.
 */
class DiscoveryOutageIT {

    private JvmCluster cluster;
    private ErlangProcesses erlang;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (erlang != null) {
            erlang.close();
        }
    }

    private static long count(NodeProcess p, Predicate<String> line) throws Exception {
        return p.logLines().stream().filter(line).count();
    }

    @Test
    void epmdKilledLeavesMembersConnectedAndIsLoggedOnceAsIsItsReturn() throws Exception {
        cluster = new JvmCluster("epmd-outage", "n1", "n2");
        erlang = new ErlangProcesses(cluster.work.resolve("erlang"));
        int epmdPort = FreePorts.one();
        Process epmd = erlang.epmd(epmdPort);
        NodeProcess[] nodes = new NodeProcess[2];
        int i = 0;
        for (String n : List.of("n1", "n2")) {
            Map<String, String> dist = new LinkedHashMap<>(cluster.dist(n));
            // registered with the real epmd, and no port mapper of its own to take over when it dies
            dist.putAll(Map.of("epmd.register", "true", "epmd.port", String.valueOf(epmdPort), "epmd.embedded", "false"));
            nodes[i++] = cluster.start(n, configs("io.gencluster.dist.tcp", dist,
                    "io.gencluster.discovery.epmd", Map.of("epmd.port", String.valueOf(epmdPort), "timeout.ms", "500"),
                    "io.gencluster", JvmCluster.runtime()));
        }
        cluster.awaitMesh(nodes);

        long killed = System.nanoTime();
        epmd.destroyForcibly().waitFor();
        Predicate<String> failing = l -> l.contains("discovery") && l.contains("failing");
        long detection = 0;
        for (NodeProcess p : nodes) {
            p.awaitLogLine(failing, TIMEOUT);
            detection = Math.max(detection, JvmCluster.ms(killed, System.nanoTime()));
        }
        // several refreshes without epmd: nobody is forgotten, nothing more is logged
        JvmCluster.during(Duration.ofMillis(3 * JvmCluster.REFRESH_MS + 500), () -> {
            for (NodeProcess p : nodes) {
                assertEquals(cluster.othersThan(p.name), p.members(), p.name + " while epmd is gone");
            }
        });
        for (NodeProcess p : nodes) {
            assertEquals(1, count(p, failing), p.name + ": " + p.logLines());
        }

        long restarted = System.nanoTime();
        erlang.epmd(epmdPort);
        Predicate<String> recovered = l -> l.contains("discovery") && l.contains("recovered");
        long recovery = 0;
        for (NodeProcess p : nodes) {
            p.awaitLogLine(recovered, TIMEOUT);
            recovery = Math.max(recovery, JvmCluster.ms(restarted, System.nanoTime()));
        }
        JvmCluster.during(Duration.ofMillis(2 * JvmCluster.REFRESH_MS), () -> {
            for (NodeProcess p : nodes) {
                assertEquals(cluster.othersThan(p.name), p.members(), p.name + " after epmd returned");
            }
        });
        for (NodeProcess p : nodes) {
            assertEquals(1, count(p, failing), p.name + " failure lines");
            assertEquals(1, count(p, recovered), p.name + " recovery lines");
            assertTrue(p.events().stream().noneMatch(e -> e.text().startsWith("node down")), p.name + ": " + p.events());
        }
        new Figures("epmd killed under a 2-node cluster, then restarted").put("detection.ms", detection).put("recovery.ms", recovery)
                .put("note", "members kept; 'failing' and 'recovered' logged once per node; no node-down event").write();
    }

    @Test
    void aStaticHostThatDoesNotResolveIsLoggedOnceAndTheMembersStayConnected() throws Exception {
        cluster = new JvmCluster("unresolvable", "n1", "n2");
        String ghost = "ghost@no-such-host.invalid:4370";
        NodeProcess[] nodes = new NodeProcess[2];
        int i = 0;
        for (String n : List.of("n1", "n2")) {
            nodes[i++] = cluster.start(n, configs("io.gencluster.dist.tcp", cluster.dist(n),
                    "io.gencluster.discovery.static", Map.of("nodes", cluster.staticList(n) + "," + ghost),
                    "io.gencluster", JvmCluster.runtime()));
        }
        cluster.awaitMesh(nodes);
        Predicate<String> ghostLine = l -> l.contains("ghost@no-such-host.invalid") && l.contains("cannot connect");
        for (NodeProcess p : nodes) {
            p.awaitLogLine(ghostLine, TIMEOUT);
        }
        // retried on its backoff many times in this window; logged once, and the members untouched
        JvmCluster.during(Duration.ofMillis(4 * JvmCluster.REFRESH_MS), () -> {
            for (NodeProcess p : nodes) {
                assertEquals(cluster.othersThan(p.name), p.members(), p.name);
            }
        });
        for (NodeProcess p : nodes) {
            assertEquals(1, count(p, ghostLine), p.name + ": " + p.logLines());
            assertTrue(p.events().stream().noneMatch(e -> e.text().startsWith("node down")), p.name + ": " + p.events());
        }
        new Figures("static list with an unresolvable host").put("log.lines", 1)
                .put("note", "4 refreshes: the 2 members stay connected, the failing host is logged once per node").write();
    }
}
