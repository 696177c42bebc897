package io.gencluster.discovery.staticpeers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.Peer;
import io.gencluster.testing.LogLines;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A list longer than max.peers gives the first max.peers nodes as listed, and says so once. */
class MaxPeersTest {

    private static List<String> nodes(int count) {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add("n" + i + "@10.0." + (i / 250) + "." + (i % 250 + 1) + ":4370");
        }
        return nodes;
    }

    private static StaticDiscoveryConfig config(List<String> nodes, int maxPeers) {
        return new StaticDiscoveryConfig() {
            public Class<? extends Annotation> annotationType() {
                return StaticDiscoveryConfig.class;
            }

            public String[] nodes() {
                return nodes.toArray(String[]::new);
            }

            public int max_peers() {
                return maxPeers;
            }
        };
    }

    @Test
    void fiveThousandListedNodesGiveTheFirst1024AndOneWarning() throws Exception {
        try (LogLines log = new LogLines(StaticDiscovery.class)) {
            StaticDiscovery d = StaticDiscovery.of(config(nodes(5000), 1024), "io.gencluster.discovery.static");
            Set<Peer> first = d.peers();
            for (int refresh = 0; refresh < 5; refresh++) {
                assertEquals(first, d.peers());
            }
            assertEquals(1024, first.size());
            assertEquals(Peer.parse("n0@10.0.0.1:4370"), first.iterator().next(), "the first as listed");
            assertTrue(first.contains(Peer.parse("n1023@10.0.4.24:4370")), "the 1024th as listed");
            assertEquals(List.of("static list io.gencluster.discovery.static has 5,000 nodes; using the first 1024 (max.peers)"),
                    log.lines);
        }
    }

    @Test
    void theDefaultIs1024() throws Exception {
        assertEquals(1024, new StaticDiscovery(nodes(1500)).peers().size());
        assertEquals(1000, new StaticDiscovery(nodes(1000)).peers().size());
    }

    @Test
    void aListWithinTheLimitLogsNothing() throws Exception {
        try (LogLines log = new LogLines(StaticDiscovery.class)) {
            assertEquals(3, StaticDiscovery.of(config(nodes(3), 3), "p").peers().size());
            assertEquals(List.of(), log.lines);
        }
    }

    @Test
    void aMaxPeersBelowOneIsLoggedByKeyAndValueAndTheDefaultUsed() throws Exception {
        try (LogLines log = new LogLines(StaticDiscovery.class)) {
            assertEquals(1024, StaticDiscovery.of(config(nodes(2000), 0), "p").peers().size());
            assertTrue(log.lines.get(0).contains("key 'max.peers' has invalid value '0'"), log.lines.toString());
        }
    }
}
