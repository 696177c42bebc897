package io.gencluster.itests;

import static io.gencluster.itests.JvmCluster.TIMEOUT;
import static io.gencluster.itests.JvmCluster.full;
import static io.gencluster.itests.JvmCluster.ms;
import static io.gencluster.itests.NodeProcess.configs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.Figures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A network partition between {n1, n2} and {n3, n4}, four JVMs on 127.0.0.1: a node reaches the
 * other group only through a {@link LoopbackProxy} in front of each node's port, so switching the
 * proxies to black holes cuts the groups apart (silence, no FIN) while each group stays whole.
 * Transitive meshing is off, so that no node learns the others' real ports and goes round the
 * proxies.
 */
class PartitionIT {

    private JvmCluster cluster;
    private final List<LoopbackProxy> proxies = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        for (LoopbackProxy p : proxies) {
            p.close();
        }
    }

    @Test
    void bothSidesOfAPartitionReportTheSplitAndTheMeshReformsWithinARefreshAndBackoffOfHealing() throws Exception {
        cluster = new JvmCluster("partition", "n1", "n2", "n3", "n4");
        Map<String, String> group = Map.of("n1", "a", "n2", "a", "n3", "b", "n4", "b");
        Map<String, LoopbackProxy> proxyOf = new HashMap<>();
        for (String n : cluster.ports.keySet()) {
            LoopbackProxy p = new LoopbackProxy(cluster.ports.get(n));
            proxies.add(p);
            proxyOf.put(n, p);
        }
        List<NodeProcess> nodes = new ArrayList<>();
        for (String n : cluster.ports.keySet()) {
            StringBuilder list = new StringBuilder();
            for (String other : cluster.ports.keySet()) {
                if (!other.equals(n)) {
                    int port = group.get(other).equals(group.get(n)) ? cluster.ports.get(other) : proxyOf.get(other).port();
                    list.append(list.length() == 0 ? "" : ",").append(full(other)).append(':').append(port);
                }
            }
            Map<String, String> dist = new LinkedHashMap<>(cluster.dist(n));
            dist.put("mesh.transitive", "false");
            nodes.add(cluster.start(n, configs("io.gencluster.dist.tcp", dist, "io.gencluster.discovery.static",
                    Map.of("nodes", list.toString()), "io.gencluster", JvmCluster.runtime())));
        }
        cluster.awaitMesh(nodes.toArray(NodeProcess[]::new));
        // a node's membership line can come before the node-up event of its last member: wait for
        // every node-up, so that none of the mesh's own is counted as a change after the cut
        for (NodeProcess p : nodes) {
            for (String other : cluster.ports.keySet()) {
                if (!other.equals(p.name)) {
                    p.awaitEvent(e -> e.isUp(full(other)), TIMEOUT);
                }
            }
        }
        Map<NodeProcess, Integer> before = new HashMap<>();
        nodes.forEach(p -> before.put(p, p.events().size()));

        long cut = System.nanoTime();
        proxies.forEach(LoopbackProxy::blackHole);
        long detection = 0;
        for (NodeProcess p : nodes) {
            for (String other : cluster.ports.keySet()) {
                if (!group.get(other).equals(group.get(p.name))) {
                    NodeProcess.Event down = p.awaitEvent(e -> e.isDown(full(other)) && e.nanos() > cut, TIMEOUT);
                    assertTrue(down.text().contains("(HEARTBEAT_TIMEOUT"), p.name + ": " + down.text());
                    detection = Math.max(detection, ms(cut, down.nanos()));
                }
            }
        }
        // split (the membership line follows the events), and it stays split while the proxies
        // swallow every dial: longer than refresh + backoff + handshake timeout
        Map<NodeProcess, Set<String>> sameGroup = new HashMap<>();
        for (NodeProcess p : nodes) {
            Set<String> mine = new java.util.TreeSet<>();
            group.forEach((n, g) -> {
                if (g.equals(group.get(p.name)) && !n.equals(p.name)) {
                    mine.add(full(n));
                }
            });
            sameGroup.put(p, mine);
            p.awaitMembers(mine, TIMEOUT);
        }
        JvmCluster.during(Duration.ofMillis(JvmCluster.REFRESH_MS + JvmCluster.BACKOFF_MAX_MS + JvmCluster.HANDSHAKE_MS), () -> {
            for (NodeProcess p : nodes) {
                assertEquals(sameGroup.get(p), p.members(), p.name + " during the partition");
            }
        });

        long healed = System.nanoTime();
        proxies.forEach(LoopbackProxy::heal);
        cluster.awaitMesh(nodes.toArray(NodeProcess[]::new));
        long reform = ms(healed, System.nanoTime());
        // a dial under way when the proxies healed may run to its timeout first
        long bound = JvmCluster.REFRESH_MS + JvmCluster.BACKOFF_MAX_MS + JvmCluster.HANDSHAKE_MS + 1500;
        assertTrue(reform <= bound, "mesh re-formed " + reform + " ms after healing; bound " + bound + " ms");
        for (NodeProcess p : nodes) {
            for (NodeProcess.Event e : p.events().subList(before.get(p), p.events().size())) {
                String node = e.text().replaceAll("^node (up|down) (\\S+).*$", "$2");
                assertTrue(!group.get(node.replace("@127.0.0.1", "")).equals(group.get(p.name)),
                        p.name + " saw a change within its own group: " + e.text());
            }
        }
        new Figures("partition {n1,n2} / {n3,n4} by black-holing proxies, then healed").put("detection.ms", detection)
                .put("reconnect.ms", reform).put("bound.ms", bound)
                .put("note", "HEARTBEAT_TIMEOUT on both sides; no event within a group; reconnect = heal to full mesh").write();
    }
}
