package io.gencluster.discovery.epmdall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.Peer;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.testing.CfgValues;
import io.gencluster.testing.LogLines;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A port mapper listing more nodes than max.peers gives the first max.peers by name, the same at
 * every refresh, with one warning, and is not asked PORT_PLEASE2 for the rest.
 */
class MaxPeersTest {

    private static EpmdAllDiscovery discovery(FakeEpmd epmd, boolean includeForeign, int maxPeers) {
        return new EpmdAllDiscovery(List.of("127.0.0.1"), epmd.port(), Duration.ofSeconds(5), includeForeign,
                () -> "127.0.0.1", maxPeers);
    }

    @Test
    void fiveThousandRegisteredNodesGiveTheFirst1024ByNameAndOneWarning() throws Exception {
        try (FakeEpmd epmd = new FakeEpmd(); LogLines log = new LogLines(EpmdAllDiscovery.class)) {
            for (int i = 0; i < 5000; i++) {
                String name = String.format("n%04d", i);
                epmd.entries.put(name, NodeEntry.genCluster(name, 10000 + i));
            }
            EpmdAllDiscovery d = discovery(epmd, false, 1024);
            Set<Peer> first = d.peers();
            assertEquals(1024, first.size());
            assertTrue(first.contains(Peer.parse("n0000@127.0.0.1:10000").withTransport("tcp")), "the first by name");
            assertTrue(first.contains(Peer.parse("n1023@127.0.0.1:11023").withTransport("tcp")), "the 1024th by name");
            assertEquals(1025, epmd.portPleaseRequests.get(), "no PORT_PLEASE2 past the one that proves the cut");
            for (int refresh = 0; refresh < 2; refresh++) {
                assertEquals(first, d.peers(), "the same peers at every refresh");
            }
            assertEquals(List.of("EPMD on 127.0.0.1 listed 5,000 nodes; using the first 1024 (max.peers)"), log.lines);
        }
    }

    @Test
    void foreignNamesDoNotCountAgainstTheLimit() throws Exception {
        try (FakeEpmd epmd = new FakeEpmd(); LogLines log = new LogLines(EpmdAllDiscovery.class)) {
            for (int i = 0; i < 20; i++) {
                String name = String.format("n%02d", i);
                epmd.entries.put(name, i % 2 == 0 ? NodeEntry.genCluster(name, 10000 + i) : NodeEntry.erlang(name, 10000 + i, false));
            }
            assertEquals(10, discovery(epmd, false, 10).peers().size(), "ten of ours among twenty names fit ten");
            assertEquals(List.of(), log.lines);
            assertEquals(10, discovery(epmd, true, 10).peers().size());
            assertEquals(1, log.lines.size(), log.lines.toString());
        }
    }

    @Test
    void aMaxPeersBelowOneIsRefusedByKeyAndValue() {
        var config = CfgValues.of(EpmdAllDiscoveryConfig.class, Map.of("max.peers", "0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EpmdAllDiscovery.of(config, Map.of("max.peers", "0"), () -> "127.0.0.1"));
        assertTrue(e.getMessage().startsWith("key 'max.peers' has invalid value '0'"), e.getMessage());
    }
}
